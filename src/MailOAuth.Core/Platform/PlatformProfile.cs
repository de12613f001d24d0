using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace MailOAuth.Core.Platform;

/// <summary>
/// How one platform names its SMTP-settings API: paths, methods, field names, authentication, and
/// where the test answer says delivered / message id / error. The default is the contract in
/// ARCHITECTURE.md ("Platform API contract"); another platform needs only a profile file (JSON).
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

    public static PlatformProfile FromFile(string path) => FromJson(File.ReadAllText(path));

    private void Validate()
    {
        if (!string.Equals(AuthScheme, "Bearer", StringComparison.OrdinalIgnoreCase) && !string.Equals(AuthScheme, "Header", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"AuthScheme must be 'Bearer' or 'Header', not '{AuthScheme}'.");
        foreach (var (name, value) in new[] { ("SettingsPath", SettingsPath), ("TestPath", TestPath) })
            if (string.IsNullOrWhiteSpace(value) || !value.StartsWith("/", StringComparison.Ordinal))
                throw new ArgumentException($"{name} must be a path starting with '/'.");
        // An HTTP method is a token (RFC 9110 §9.1): a blank or spaced one would only fail at send time.
        foreach (var (name, value) in new[] { ("GetMethod", GetMethod), ("SetMethod", SetMethod), ("TestMethod", TestMethod) })
            if (string.IsNullOrEmpty(value) || !System.Text.RegularExpressions.Regex.IsMatch(value, "^[A-Za-z]{1,16}$"))
                throw new ArgumentException($"{name} must be an HTTP method such as GET, PUT or POST, not '{value}'.");
    }
}
