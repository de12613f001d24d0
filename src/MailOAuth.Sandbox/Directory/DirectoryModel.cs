using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace MailOAuth.Sandbox.Directory;

// Immutable snapshots of directory objects. DirectoryStore replaces them on write (copy-on-write)
// under its lock, so a snapshot handed out can be read without locking.

/// <summary>A domain of the tenant (wire §4.9).</summary>
public sealed record TenantDomain(string Name, bool IsVerified, bool IsDefault, bool IsInitial);

/// <summary>The one tenant the sandbox hosts.</summary>
public sealed record Tenant(Guid Id, string DisplayName, ImmutableArray<TenantDomain> Domains)
{
    public TenantDomain DefaultDomain => Domains.First(d => d.IsDefault);
}

/// <summary>A user; <see cref="HasExchangeLicense"/> false means no Exchange Online mailbox (wire §5.4).</summary>
public sealed record DirectoryUser(Guid Id, string UserPrincipalName, string DisplayName, string Mail, bool HasExchangeLicense);

/// <summary>
/// An application password credential (wire §4.3). Only a SHA-256 hash of the secret text is
/// kept; the text itself is returned once, when the credential is created.
/// </summary>
public sealed record PasswordCredential(
    Guid KeyId,
    string? DisplayName,
    string Hint,
    DateTimeOffset StartDateTime,
    DateTimeOffset EndDateTime,
    ImmutableArray<byte> SecretHash)
{
    public static PasswordCredential Create(Guid keyId, string? displayName, string secretText, DateTimeOffset start, DateTimeOffset end) =>
        new(keyId, displayName, secretText[..Math.Min(3, secretText.Length)], start, end, Hash(secretText));

    public bool Matches(string secretText) =>
        CryptographicOperations.FixedTimeEquals(Hash(secretText).AsSpan(), SecretHash.AsSpan());

    public bool IsActiveAt(DateTimeOffset now) => StartDateTime <= now && now < EndDateTime;

    private static ImmutableArray<byte> Hash(string secretText) =>
        ImmutableArray.Create(SHA256.HashData(Encoding.UTF8.GetBytes(secretText)));
}

/// <summary>An application object (wire §4.1).</summary>
public sealed record DirectoryApplication(
    Guid ObjectId,
    Guid AppId,
    string DisplayName,
    DateTimeOffset CreatedDateTime,
    ImmutableList<PasswordCredential> PasswordCredentials);

/// <summary>An app role a resource service principal exposes (wire §4.5).</summary>
public sealed record AppRole(
    Guid Id,
    string Value,
    string DisplayName,
    string Description,
    ImmutableArray<string> AllowedMemberTypes,
    bool IsEnabled = true,
    string Origin = "Application");

/// <summary>A service principal (wire §4.5).</summary>
public sealed record ServicePrincipal(
    Guid Id,
    Guid AppId,
    string DisplayName,
    Guid AppOwnerOrganizationId,
    ImmutableArray<AppRole> AppRoles);

/// <summary>An app role assignment: the actual grant (admin consent, wire §4.6).</summary>
public sealed record AppRoleAssignment(
    string Id,
    Guid PrincipalId,
    Guid ResourceId,
    Guid AppRoleId,
    DateTimeOffset CreatedDateTime,
    string PrincipalDisplayName,
    string ResourceDisplayName,
    string PrincipalType = "ServicePrincipal");

/// <summary>
/// A Conditional Access policy for workload identities whose only grant control is Block
/// (wire §1.11): a token request by one of the listed service principals gets AADSTS53003.
/// </summary>
public sealed record ConditionalAccessPolicy(Guid Id, string DisplayName, ImmutableHashSet<Guid> BlockedServicePrincipalIds);

/// <summary>
/// An Exchange application access policy (DenyAccess) on a mailbox (wire §5.2). A null
/// <see cref="AppId"/> applies to every application (a sandbox simplification).
/// </summary>
public sealed record ApplicationAccessPolicy(Guid Id, Guid MailboxUserId, Guid? AppId);

/// <summary>Well-known ids that are the same in every tenant.</summary>
public static class WellKnownIds
{
    /// <summary>Microsoft Graph's appId (wire §4.1).</summary>
    public static readonly Guid MicrosoftGraphAppId = Guid.Parse("00000003-0000-0000-c000-000000000000");

    /// <summary>Mail.Send application permission id (wire §4.1, verified).</summary>
    public static readonly Guid MailSendRoleId = Guid.Parse("b633e1c5-b582-4048-a93e-9f11b44c7e96");

    public const string MailSendRoleValue = "Mail.Send";
}
