using KafkaRestored.Restore.Resources.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>Reads YAML text into node trees with marks, under the caps of <see cref="ResourceLimits"/>.
/// Built on YamlDotNet's event parser so nothing is materialised that a cap has not allowed.</summary>
internal static class YamlDocumentReader
{
    /// <summary>Reads every document. Text is first cut at "---" lines so that a syntax error or a cap
    /// stops only its own document, not the rest of the file.</summary>
    public static List<RawDocument> Read(string text)
    {
        var docs = new List<RawDocument>();
        foreach (var (start, length, lineOffset) in SplitDocuments(text))
            ReadChunk(text.Substring(start, length), lineOffset, docs);
        return docs;
    }

    /// <summary>Cuts at lines starting with "---" (a document marker wherever it stands in YAML 1.2),
    /// carrying any directive lines (%YAML, %TAG) just above a marker into the marker's chunk.</summary>
    internal static List<(int Start, int Length, int LineOffset)> SplitDocuments(string text)
    {
        var lineStarts = new List<(int Index, int Line)>();
        var markers = new List<int>(); // indexes into lineStarts
        var index = 0;
        var line = 0;
        while (index <= text.Length)
        {
            lineStarts.Add((index, line));
            if (IsDocumentMarker(text, index) && line > 0) markers.Add(lineStarts.Count - 1);
            var nl = text.IndexOf('\n', index);
            if (nl < 0) break;
            index = nl + 1;
            line++;
        }

        var chunks = new List<(int, int, int)>();
        var chunkStart = 0; // index into lineStarts
        foreach (var m in markers)
        {
            var boundary = m;
            while (boundary - 1 >= chunkStart && text.Length > lineStarts[boundary - 1].Index
                   && text[lineStarts[boundary - 1].Index] == '%')
                boundary--;
            if (boundary <= chunkStart) continue;
            var from = lineStarts[chunkStart].Index;
            chunks.Add((from, lineStarts[boundary].Index - from, lineStarts[chunkStart].Line));
            chunkStart = boundary;
        }
        var last = lineStarts[chunkStart].Index;
        chunks.Add((last, text.Length - last, lineStarts[chunkStart].Line));
        return chunks;
    }

    private static bool IsDocumentMarker(string text, int i) =>
        i + 3 <= text.Length && text[i] == '-' && text[i + 1] == '-' && text[i + 2] == '-'
        && (i + 3 == text.Length || text[i + 3] is ' ' or '\t' or '\r' or '\n');

    private static void ReadChunk(string chunk, int lineOffset, List<RawDocument> docs)
    {
        var parser = new Parser(new StringReader(chunk));
        YamlDocumentBuilder? doc = null;
        Mark lastEnd = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                lastEnd = ev.End;
                switch (ev)
                {
                    case StreamStart or StreamEnd:
                        break;
                    case DocumentStart:
                        doc = new YamlDocumentBuilder(lineOffset, ev.Start.Index);
                        break;
                    case DocumentEnd:
                        if (doc is not null) docs.Add(doc.Finish());
                        doc = null;
                        break;
                    default:
                        doc ??= new YamlDocumentBuilder(lineOffset, ev.Start.Index);
                        if (!doc.Accept(ev))
                        {
                            docs.Add(doc.Finish());
                            return;
                        }
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            doc ??= new YamlDocumentBuilder(lineOffset, 0);
            var at = e.Start.Line > 0 ? e.Start : lastEnd;
            // An unclosed [ or { is found only at the end of the text: point at the bracket instead.
            if (e.Message.Contains("flow", StringComparison.OrdinalIgnoreCase) && doc.InnermostOpenFlow is { } open)
                doc.SyntaxError(open, "this [ or { is not closed properly (" + SyntaxMessage(e.Message) + ")");
            else
                doc.SyntaxError(SyntaxPosition(chunk, at, e.Message, lineOffset), SyntaxMessage(e.Message));
            docs.Add(doc.Finish());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet throws other exceptions on some malformed input (InvalidOperationException for an
            // unclosed flow collection): bad input is a diagnostic, never a crash.
            doc ??= new YamlDocumentBuilder(lineOffset, 0);
            var at = doc.InnermostOpenFlow ?? Position(lastEnd.Line > 0 ? lastEnd : new Mark(0, 1, 1), lineOffset);
            doc.SyntaxError(at, "the YAML could not be parsed from here on: check for an unclosed [ or { or an unclosed quote");
            docs.Add(doc.Finish());
        }
    }

    private static string SyntaxMessage(string parserMessage)
    {
        if (parserMessage.Contains("tab", StringComparison.OrdinalIgnoreCase))
            return "a tab character is used for indentation; YAML indents with spaces only";
        var m = parserMessage.Trim().TrimEnd('.');
        return m.Length == 0 ? "malformed YAML" : "malformed YAML: " + char.ToLowerInvariant(m[0]) + m[1..];
    }

    /// <summary>For tab errors YamlDotNet points at the token before; point at the tab instead.</summary>
    private static TextPosition SyntaxPosition(string chunk, Mark at, string parserMessage, int lineOffset)
    {
        if (!parserMessage.Contains("tab", StringComparison.OrdinalIgnoreCase)) return Position(at, lineOffset);
        var lineNo = 1;
        var i = 0;
        while (i < chunk.Length)
        {
            if (lineNo >= at.Line)
            {
                for (var j = i; j < chunk.Length && chunk[j] is ' ' or '\t'; j++)
                {
                    if (chunk[j] == '\t') return new TextPosition(lineNo + lineOffset, j - i + 1);
                }
            }
            var nl = chunk.IndexOf('\n', i);
            if (nl < 0) break;
            i = nl + 1;
            lineNo++;
        }
        return Position(at, lineOffset);
    }

    internal static TextPosition Position(Mark m, int lineOffset) =>
        new((int)Math.Min(int.MaxValue, m.Line + lineOffset), (int)Math.Min(int.MaxValue, m.Column));
}
