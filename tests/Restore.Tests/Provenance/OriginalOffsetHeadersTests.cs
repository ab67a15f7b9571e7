using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Tests.Provenance;

/// <summary>Header values are 8/4-byte little-endian or decimal text (SPEC 3.1); eight digits are text.</summary>
public sealed class OriginalOffsetHeadersTests
{
    [Fact]
    public void Eight_ascii_digits_are_read_as_text_not_as_little_endian_bytes() =>
        Assert.Equal(12345678L, OriginalOffsetHeaders.ReadInt64("12345678"u8));

    [Fact]
    public void Eight_binary_bytes_are_little_endian() =>
        Assert.Equal(41L, OriginalOffsetHeaders.ReadInt64(BitConverter.GetBytes(41L)));

    [Fact]
    public void Four_ascii_digits_are_a_partition_written_as_text() =>
        Assert.Equal(1234, OriginalOffsetHeaders.ReadInt32("1234"u8));

    [Theory]
    [InlineData("")]
    [InlineData("12a")]
    [InlineData("-")]
    public void Anything_else_is_not_a_value(string text) =>
        Assert.Null(OriginalOffsetHeaders.ReadInt64(System.Text.Encoding.ASCII.GetBytes(text)));
}
