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

    [Fact]
    public void A_leading_minus_is_text_only_in_first_place() =>
        // "-123" is decimal text; "1234-678" (eight bytes, a minus inside) is not text, so its bytes are little-endian.
        Assert.Equal((-123, -12345678L, BitConverter.ToInt64("1234-678"u8)),
            (OriginalOffsetHeaders.ReadInt32("-123"u8), OriginalOffsetHeaders.ReadInt64("-12345678"u8), OriginalOffsetHeaders.ReadInt64("1234-678"u8)));

    [Fact]
    public void Four_binary_bytes_are_a_little_endian_partition_and_other_lengths_are_nothing() =>
        Assert.Equal(((int?)7, (int?)null, (int?)null),
            (OriginalOffsetHeaders.ReadInt32(BitConverter.GetBytes(7)), OriginalOffsetHeaders.ReadInt32([1, 2, 3]), OriginalOffsetHeaders.ReadInt32([])));
}
