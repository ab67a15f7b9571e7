using System.Text;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// The strings of the header keys a segment reader met last: records of a topic tend to carry the
/// same few header names, so decoding one returns the string already made instead of a new one.
/// </summary>
internal sealed class HeaderKeyCache
{
    private const int Size = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[][] _bytes = new byte[Size][];
    private readonly string[] _strings = new string[Size];
    private int _count;
    private int _next;

    /// <summary>The key as a string, or null when <paramref name="utf8"/> is not valid UTF-8.</summary>
    public string? Get(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < _count; i++)
        {
            if (utf8.SequenceEqual(_bytes[i])) return _strings[i];
        }
        string key;
        try
        {
            key = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        // Long keys are rare and would make every comparison dearer: only short ones are kept.
        if (utf8.Length > 64) return key;
        _bytes[_next] = utf8.ToArray();
        _strings[_next] = key;
        _next = (_next + 1) % Size;
        _count = Math.Max(_count, _next == 0 ? Size : _next);
        return key;
    }
}
