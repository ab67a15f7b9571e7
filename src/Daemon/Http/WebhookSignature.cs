using System.Security.Cryptography;
using System.Text;

namespace KafkaRestored.Daemon.Http;

/// <summary>GitHub-style <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c> checks.</summary>
public static class WebhookSignature
{
    /// <summary>Header carrying the signature.</summary>
    public const string Header = "X-Hub-Signature-256";

    /// <summary>The header value a sender with <paramref name="secret"/> computes for <paramref name="body"/>.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>True when <paramref name="header"/> is a valid signature of <paramref name="body"/>; compares in constant time.</summary>
    public static bool IsValid(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(7));
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
