using System;

namespace MailOAuth.Core.Entra;

/// <summary>Well-known identifiers, the same in every tenant and cloud (docs/service-behaviour.md#create-application, #national-clouds).</summary>
public static class EntraIds
{
    /// <summary>Microsoft Graph's appId.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    /// <summary>Mail.Send as an *application* permission (app role). The delegated one is e383f46e-….</summary>
    public static readonly Guid MailSendAppRoleId = new("b633e1c5-b582-4048-a93e-9f11b44c7e96");

    public const string MailSendRoleValue = "Mail.Send";

    /// <summary>Mail.Send as a *delegated* permission (a scope): useless to an app-only sender.</summary>
    public static readonly Guid MailSendScopeId = new("e383f46e-2787-4529-855e-0e479a3ffac0");

    /// <summary>The tag that marks an app as created and managed by MailOAuth.</summary>
    public const string ManagedTag = "MailOAuth";

    /// <summary>
    /// What MailOAuth appends to the description (displayName) of every client secret it creates, so a
    /// later rotation can tell its own secrets from ones an admin or another tool made. The description is
    /// the only field addPassword sets atomically with the secret (docs/service-behaviour.md#add-password):
    /// a marker written separately (a tag, a note) would be lost when a run stops between the two writes.
    /// </summary>
    public const string SecretMarker = " [MailOAuth]";

    /// <summary>The description MailOAuth gives a secret it creates: the caller's text with <see cref="SecretMarker"/>.</summary>
    public static string MarkedSecretDescription(string description) =>
        description.EndsWith(SecretMarker, StringComparison.Ordinal) ? description : description + SecretMarker;

    /// <summary>True when a secret's description carries <see cref="SecretMarker"/>: MailOAuth created it.</summary>
    public static bool IsMarkedSecret(string? description) =>
        description is not null && description.EndsWith(SecretMarker, StringComparison.Ordinal);

    /// <summary>Prefix of the client-provided alternate key (uniqueName) MailOAuth gives its apps.</summary>
    public const string UniqueNamePrefix = "mailoauth-";

    /// <summary>
    /// The n-th alternate key for a display name (n ≥ 1; 1 is <see cref="UniqueNameFor(string)"/>). A
    /// deleted app keeps its key reserved for 30 days, so a new app of the same name takes the next one;
    /// the sequence is deterministic, so re-runs still converge on one app.
    /// </summary>
    public static string UniqueNameFor(string displayName, int n) => n <= 1 ? UniqueNameFor(displayName) : UniqueNameFor(displayName) + "-" + n;

    /// <summary>
    /// The app's uniqueName for a display name: stable, so a re-run after an ambiguous failure upserts
    /// the same object instead of creating a second one (Graph "Upsert application").
    /// </summary>
    public static string UniqueNameFor(string displayName)
    {
        var chars = new System.Text.StringBuilder(UniqueNamePrefix);
        var lastDash = false;
        foreach (var c in displayName.Trim().ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') { chars.Append(c); lastDash = false; }
            else if (!lastDash) { chars.Append('-'); lastDash = true; }
        }
        var slug = chars.ToString().TrimEnd('-');
        // Different names that slug alike ("Email OAuth" / "email-oauth") stay apart by a short hash.
        var hash = System.BitConverter.ToString(System.Security.Cryptography.SHA256.Create()
            .ComputeHash(System.Text.Encoding.UTF8.GetBytes(displayName.Trim()))).Replace("-", "").Substring(0, 8).ToLowerInvariant();
        if (slug.Length > 80) slug = slug.Substring(0, 80);
        return slug + "-" + hash;
    }
}
