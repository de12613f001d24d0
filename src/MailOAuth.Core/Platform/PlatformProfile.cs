using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MailOAuth.Core.Platform;

/// <summary>
/// How one platform names its SMTP-settings API: paths, methods, field names, authentication, and
/// where the test answer says delivered / message id / error. The default is the contract in
/// docs/design.md#platform-contract; another platform needs only a profile file (JSON).
/// Field paths may be dotted ("error.message").
/// </summary>
public sealed class PlatformProfile
{
    public string Name { get; set; } = "Default";

    /// <summary>"Bearer" (Authorization: Bearer token) or "Header" (the token in <see cref="AuthHeader"/>).</summary>
    public string AuthScheme { get; set; } = "Bearer";
    public string AuthHeader { get; set; } = "Authorization";

    public string SettingsPath { get; set; } = "/api/v1/reseller/smtp-settings";
    public string GetMethod { get; set; } = "GET";
    public string SetMethod { get; set; } = "PUT";
    /// <summary>The value of the provider field when MailOAuth stores Graph OAuth settings.</summary>
    public string ProviderValue { get; set; } = "MicrosoftGraphOAuth";

    /// <summary>Our names → the platform's field names (provider, tenantId, clientId, clientSecret, senderAddress, clientSecretHint, updatedAt).</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where validation errors are listed: an array of {field, message}.</summary>
    public string ErrorsField { get; set; } = "errors";

    public string TestPath { get; set; } = "/api/v1/reseller/smtp-settings/test";
    public string TestMethod { get; set; } = "POST";
    public string TestToField { get; set; } = "to";
    public string DeliveredField { get; set; } = "delivered";
    public string MessageIdField { get; set; } = "messageId";
    public string? ErrorCodeField { get; set; } = "error.code";
    public string ErrorMessageField { get; set; } = "error.message";
    /// <summary>
    /// A certificate file (relative to the profile file) of the CA behind the platform's TLS certificate, trusted for
    /// the platform's host only; -PlatformCertificatePath takes precedence. Null: the machine's trust store.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The platform's name for one of our fields (itself when not renamed).</summary>
    public string Field(string ours) => Fields.TryGetValue(ours, out var theirs) && !string.IsNullOrEmpty(theirs) ? theirs : ours;

    /// <summary>Our name for one of the platform's fields (itself when not renamed).</summary>
    public string OurField(string theirs)
    {
        foreach (var pair in Fields)
            if (string.Equals(pair.Value, theirs, StringComparison.OrdinalIgnoreCase)) return pair.Key;
        return theirs;
    }

    /// <summary>The default profile: the platform API contract.</summary>
    public static PlatformProfile Default => new();

    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads a profile from JSON; missing members keep the default contract's values.</summary>
    public static PlatformProfile FromJson(string json)
    {
        if (json.Length > MaxProfileChars)
            throw new ArgumentException($"The platform profile is {json.Length / 1024} KB; a profile is a few hundred bytes (at most {MaxProfileChars / 1024} KB are read).");
        PlatformProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<PlatformProfile>(json, s_json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The platform profile is not valid JSON: " + ex.Message, ex);
        }
        if (profile is null) throw new ArgumentException("The platform profile is empty.");
        profile.Fields = new Dictionary<string, string>(profile.Fields ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        profile.Validate();
        return profile;
    }

    /// <summary>The largest profile read: a profile names a few paths and fields.</summary>
    public const int MaxProfileChars = 64 * 1024;

    public static PlatformProfile FromFile(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxProfileChars)
            throw new ArgumentException($"The platform profile file is {length / 1024} KB; a profile is a few hundred bytes (at most {MaxProfileChars / 1024} KB are read).");
        return FromJson(File.ReadAllText(path));
    }

    /// <summary>Headers the HTTP stack owns: a profile may not put the API token in one of them.</summary>
    private static readonly HashSet<string> s_forbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade",
        "Expect", "TE", "Trailer", "Proxy-Authorization", "Proxy-Connection", "Cookie", "Accept", "Accept-Encoding", "Origin", "Referer",
        "User-Agent", "Date", "Via", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
    };

    private static readonly System.Text.RegularExpressions.Regex s_headerToken =
        new(@"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex s_path =
        new(@"^/(?!/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex s_field =
        new(@"^[A-Za-z0-9_$@\-]{1,64}(\.[A-Za-z0-9_$@\-]{1,64}){0,7}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private void Validate()
    {
        if (string.Equals(AuthScheme, "Header", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(AuthHeader) || !s_headerToken.IsMatch(AuthHeader))
                throw new ArgumentException("AuthHeader must name an HTTP header (letters, digits and - only, e.g. X-Api-Key), or the API token would not be sent.");
            if (s_forbiddenHeaders.Contains(AuthHeader))
                throw new ArgumentException($"AuthHeader '{AuthHeader}' is a header the HTTP stack owns; the API token cannot travel in it. Use the platform's API-key header (e.g. X-Api-Key) or AuthScheme 'Bearer'.");
        }
        // Reads are GET: a profile must never turn Get-ResellerSmtpSetting into a write or a delete.
        RequireMethod("GetMethod", GetMethod, "GET");
        RequireMethod("SetMethod", SetMethod, "PUT", "POST", "PATCH");
        RequireMethod("TestMethod", TestMethod, "POST", "PUT");
        foreach (var (name, value) in new[] { ("SettingsPath", SettingsPath), ("TestPath", TestPath) })
            if (string.IsNullOrWhiteSpace(value) || !s_path.IsMatch(value) || value.Split('/').Any(part => part is "." or ".."))
                throw new ArgumentException($"{name} must be a path relative to -PlatformUri starting with one '/' (e.g. /api/v1/reseller/smtp-settings): no host ('//'), no '..', no query, spaces or backslashes.");
        var fields = new List<(string, string?)>
        {
            ("ErrorsField", ErrorsField), ("TestToField", TestToField), ("DeliveredField", DeliveredField),
            ("MessageIdField", MessageIdField), ("ErrorMessageField", ErrorMessageField),
        };
        if (ErrorCodeField is not null) fields.Add(("ErrorCodeField", ErrorCodeField));
        // An empty mapping means "not renamed" (Field returns our own name).
        foreach (var pair in Fields) if (pair.Value is not { Length: 0 }) fields.Add(($"Fields.{pair.Key}", pair.Value));
        foreach (var (name, value) in fields)
            if (value is null || !s_field.IsMatch(value))
                throw new ArgumentException($"{name} must be a JSON field name (or a dotted path such as error.message), not '{Printable(value)}'.");
        if (string.IsNullOrWhiteSpace(ProviderValue) || ProviderValue.Length > 128 || ProviderValue.Any(char.IsControl))
            throw new ArgumentException("ProviderValue must be a short text without control characters.");
        if (!string.Equals(AuthScheme, "Bearer", StringComparison.OrdinalIgnoreCase) && !string.Equals(AuthScheme, "Header", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"AuthScheme must be 'Bearer' or 'Header', not '{Printable(AuthScheme)}'.");
    }

    private static void RequireMethod(string name, string? value, params string[] allowed)
    {
        if (value is null || !allowed.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) || value.Trim() != value)
            throw new ArgumentException($"{name} must be {string.Join(" or ", allowed)}, not '{Printable(value)}'.");
    }

    private static string Printable(string? value)
    {
        if (value is null) return "(null)";
        var text = new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
    }
}
