using KafkaRestored.Restore.Engine;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>KR_RESTORE_PRODUCER's values: native by default, confluent on request, anything else an error that names the variable.</summary>
public sealed class RestoreProducerChoiceTests
{
    [Theory]
    [InlineData(null, RestoreProducerKind.Native)]
    [InlineData("", RestoreProducerKind.Native)]
    [InlineData("native", RestoreProducerKind.Native)]
    [InlineData("NATIVE", RestoreProducerKind.Native)]
    [InlineData("confluent", RestoreProducerKind.Confluent)]
    [InlineData("Confluent", RestoreProducerKind.Confluent)]
    public void Known_values_choose_their_producer(string? value, RestoreProducerKind expected)
    {
        Assert.Equal((expected, (string?)null), RestoreProducerChoice.Read(value));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Native ")]
    [InlineData("confluent.kafka")]
    public void Other_values_are_an_error_naming_the_variable_and_the_choices(string value)
    {
        var (_, error) = RestoreProducerChoice.Read(value);

        Assert.Equal($"the environment variable KR_RESTORE_PRODUCER is '{value}'; set it to native or confluent, or unset it (native)", error);
    }
}
