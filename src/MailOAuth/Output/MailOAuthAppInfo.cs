using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MailOAuth.Output;

/// <summary>An app as Get-MailOAuthApp reports it: consent state and secrets (never their values).</summary>
public sealed class MailOAuthAppInfo
{
    internal MailOAuthAppInfo(string tenantId, string displayName, string clientId, string objectId, string? servicePrincipalId, bool isManaged,
        bool mailSendDeclared, string consent, DateTimeOffset? createdOn, MailOAuthSecretList secrets, DateTimeOffset asOf,
        string sendScope, DateTimeOffset? scopeAssignedOn, string scopeStage)
    {
        SendScope = sendScope;
        ScopeStage = scopeStage;
        ScopeAssignedOn = scopeAssignedOn;
        TenantId = tenantId;
        DisplayName = displayName;
        ClientId = clientId;
        ObjectId = objectId;
        ServicePrincipalId = servicePrincipalId;
        IsManaged = isManaged;
        MailSendDeclared = mailSendDeclared;
        Consent = consent;
        CreatedOn = createdOn;
        Secrets = secrets;
        AsOf = asOf;
    }

    public string TenantId { get; }
    public string DisplayName { get; }
    public string ClientId { get; }
    public string ObjectId { get; }
    public string? ServicePrincipalId { get; }
    /// <summary>True when MailOAuth created (or adopted) the app.</summary>
    public bool IsManaged { get; }
    /// <summary>Mail.Send (application) is in the app's required permissions.</summary>
    public bool MailSendDeclared { get; }
    /// <summary>Granted, NotGranted or NoServicePrincipal.</summary>
    public string Consent { get; }
    /// <summary>
    /// How far Mail.Send reaches: "Tenant" (any mailbox), "Mailbox: sender@…" (Exchange RBAC for Applications; "Mailbox"
    /// when only MailOAuth's tag tells, without RoleManagement.Read.Exchange), or "None". Binds into Send-MailOAuthTest.
    /// </summary>
    public string SendScope { get; }
    /// <summary>When Mail.Send was granted tenant-wide, or first scoped to the mailbox, also when staged (UTC); null when not known.</summary>
    public DateTimeOffset? ScopeAssignedOn { get; }
    /// <summary>
    /// "Staged" (the Exchange assignment exists but the tenant-wide grant was kept: SendScope is "Tenant", and the grant can go after
    /// ScopeAssignedOn + 2 hours), "Enforced" (scoped to a mailbox only) or "None".
    /// </summary>
    public string ScopeStage { get; }
    public DateTimeOffset? CreatedOn { get; }
    /// <summary>The secrets (metadata only). In a CSV column this reads as "hint… (description) expires date; …".</summary>
    public MailOAuthSecretList Secrets { get; }
    /// <summary>When the app was read (the session's clock): days left are counted from here, not from when the object is shown.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>How many client secrets the app has (expired ones included).</summary>
    public int SecretCount => Secrets.Count;

    /// <summary>
    /// The expiry a report acts on next: the soonest among secrets still valid at <see cref="AsOf"/>; when all
    /// have expired, the last one to expire (so <see cref="NextSecretDaysLeft"/> is negative); null without secrets.
    /// </summary>
    public DateTimeOffset? NextSecretExpiresOn
    {
        get
        {
            var dated = Secrets.Where(s => s.ExpiresOn.HasValue).Select(s => s.ExpiresOn!.Value).ToList();
            if (dated.Count == 0) return null;
            var valid = dated.Where(e => e > AsOf).ToList();
            return valid.Count > 0 ? valid.Min() : dated.Max();
        }
    }

    /// <summary>Whole days from <see cref="AsOf"/> to <see cref="NextSecretExpiresOn"/> (negative once it has passed).</summary>
    public int? NextSecretDaysLeft => NextSecretExpiresOn is { } e ? MailOAuthSecretInfo.DaysBetween(AsOf, e) : null;

    /// <summary>The latest expiry among the secrets (null when there are none).</summary>
    public DateTimeOffset? SecretExpiresOn => Secrets.Where(s => s.ExpiresOn.HasValue).Select(s => s.ExpiresOn).DefaultIfEmpty(null).Max();

    /// <summary>Days until the last secret expires (negative when all have expired).</summary>
    public int? DaysLeft => SecretExpiresOn is { } e ? MailOAuthSecretInfo.DaysBetween(AsOf, e) : null;

    public override string ToString() => $"{DisplayName} ({ClientId})";
}

/// <summary>
/// An app's secrets. A list (enumerable, indexable, ConvertTo-Json writes an array) whose ToString is readable,
/// so a flat export (Export-Csv) shows the secrets rather than a type name.
/// </summary>
public sealed class MailOAuthSecretList : IReadOnlyList<MailOAuthSecretInfo>
{
    private readonly MailOAuthSecretInfo[] _items;

    internal MailOAuthSecretList(IEnumerable<MailOAuthSecretInfo> items) => _items = items.ToArray();

    public int Count => _items.Length;
    public MailOAuthSecretInfo this[int index] => _items[index];
    public IEnumerator<MailOAuthSecretInfo> GetEnumerator() => ((IEnumerable<MailOAuthSecretInfo>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => string.Join("; ", _items.Select(s => s.ToString()));
}

/// <summary>One client secret: metadata only.</summary>
public sealed class MailOAuthSecretInfo
{
    internal MailOAuthSecretInfo(string keyId, string? hint, string? description, DateTimeOffset? startsOn, DateTimeOffset? expiresOn, DateTimeOffset asOf)
    {
        KeyId = keyId;
        Hint = hint;
        Description = description;
        StartsOn = startsOn;
        ExpiresOn = expiresOn;
        AsOf = asOf;
    }

    public string KeyId { get; }
    public string? Hint { get; }
    public string? Description { get; }
    public DateTimeOffset? StartsOn { get; }
    public DateTimeOffset? ExpiresOn { get; }
    /// <summary>When the secret was read (the session's clock); <see cref="DaysLeft"/> and <see cref="Expired"/> count from here.</summary>
    public DateTimeOffset AsOf { get; }
    public int? DaysLeft => ExpiresOn is { } e ? DaysBetween(AsOf, e) : null;
    public bool Expired => ExpiresOn is { } e && e <= AsOf;

    internal static int DaysBetween(DateTimeOffset from, DateTimeOffset to) => (int)Math.Floor((to - from).TotalDays);

    public override string ToString() =>
        $"{Hint}… ({Description}) expires {ExpiresOn?.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}
