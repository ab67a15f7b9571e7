using System.CommandLine;

namespace KafkaRestored.Daemon.Cli;

/// <summary>What <c>--output</c> asks a command to print: the text for people, JSON for scripts, Markdown for a pull request comment.</summary>
internal enum OutputFormat
{
    /// <summary>Lines and tables for a terminal (the default).</summary>
    Text,

    /// <summary>One JSON document with apiVersion and kind (docs/output.md).</summary>
    Json,

    /// <summary>A Markdown document (plan only: a pull request comment).</summary>
    Markdown,
}

/// <summary>The <c>--output</c> option, offering only the formats a command can print.</summary>
internal static class OutputFormatOption
{
    /// <summary>--output text|json (and markdown when <paramref name="markdown"/>), text by default.</summary>
    public static Option<string> Create(bool markdown = false)
    {
        string[] names = markdown ? ["text", "json", "markdown"] : ["text", "json"];
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", names)} (json: a versioned document for scripts, see docs/output.md)",
            DefaultValueFactory = _ => "text",
        };
        option.AcceptOnlyFromAmong(names);
        return option;
    }

    /// <summary>The format chosen with <paramref name="option"/>.</summary>
    public static OutputFormat Get(ParseResult parse, Option<string> option) =>
        Enum.Parse<OutputFormat>(parse.GetValue(option) ?? "text", ignoreCase: true);
}
