using System;
using System.Collections.Generic;
using System.Globalization;

namespace MailOAuth.Core.Entra;

/// <summary>
/// The application tag in which MailOAuth records that an app's Mail.Send is scoped to one mailbox by an
/// Exchange RBAC assignment, and when that was first done: <c>MailOAuth:SendScope=Mailbox;2026-12-02T07:41:00Z</c>.
/// The time is kept on re-runs, because Exchange applies an assignment only 30 minutes to 2 hours after it
/// was made (docs/service-behaviour.md#exchange-rbac).
/// </summary>
public static class SendScopeTag
{
    public const string Prefix = "MailOAuth:SendScope=";

    private const string Mailbox = "Mailbox;";

    /// <summary>The tag for a mailbox scope first assigned at <paramref name="assignedOn"/> (UTC, whole seconds).</summary>
    public static string Format(DateTimeOffset assignedOn) =>
        Prefix + Mailbox + assignedOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="tags"/> hold a mailbox-scope tag; <paramref name="assignedOn"/> is its time (UTC).</summary>
    public static bool TryParse(IEnumerable<string>? tags, out DateTimeOffset assignedOn)
    {
        assignedOn = default;
        if (tags is null) return false;
        foreach (var tag in tags)
        {
            if (tag is null || !tag.StartsWith(Prefix + Mailbox, StringComparison.OrdinalIgnoreCase)) continue;
            if (DateTimeOffset.TryParse(tag.Substring(Prefix.Length + Mailbox.Length), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                assignedOn = at.ToUniversalTime();
                return true;
            }
        }
        return false;
    }

    /// <summary>True for any tag of this kind (whatever its value), so that one can be replaced or removed.</summary>
    internal static bool IsScopeTag(string? tag) => tag is not null && tag.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
}
