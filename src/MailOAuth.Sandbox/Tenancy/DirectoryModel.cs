using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailOAuth.Sandbox.Tenancy;

// Immutable snapshots of directory objects. DirectoryStore replaces them on write (copy-on-write)
// under its lock, so a snapshot handed out can be read without locking.
//
// Every object created through Graph records its creation time (the sandbox clock). Replication
// lag (docs/sandbox.md) hides an object from the eventually consistent readers until
// creation + lag; seeded objects are created long before "now" and are always visible.

/// <summary>A domain of the tenant (docs/service-behaviour.md#domains).</summary>
public sealed record TenantDomain(string Name, bool IsVerified, bool IsDefault, bool IsInitial);

/// <summary>The one tenant the sandbox hosts.</summary>
public sealed record Tenant(Guid Id, string DisplayName, ImmutableArray<TenantDomain> Domains)
{
    public TenantDomain DefaultDomain => Domains.First(d => d.IsDefault);

    public TenantDomain InitialDomain => Domains.First(d => d.IsInitial);
}

/// <summary>A licence assigned to a user (docs/service-behaviour.md#users: <c>{"disabledPlans":[],"skuId":…}</c>).</summary>
public sealed record AssignedLicense(Guid SkuId);

/// <summary>A service plan a user's licences provision (<c>assignedPlans</c> on users).</summary>
public sealed record AssignedPlan(DateTimeOffset AssignedDateTime, string CapabilityStatus, string Service, Guid ServicePlanId);

/// <summary>
/// A user. <see cref="HasExchangeLicense"/> false means no Exchange Online mailbox (docs/service-behaviour.md#mailbox-not-enabled):
/// unlicensed, guest and on-premises users all answer sendMail with MailboxNotEnabledForRESTAPI.
/// </summary>
public sealed record DirectoryUser(Guid Id, string UserPrincipalName, string DisplayName, string Mail, bool HasExchangeLicense)
{
    public bool AccountEnabled { get; init; } = true;

    /// <summary><c>Member</c> or <c>Guest</c>.</summary>
    public string UserType { get; init; } = "Member";

    /// <summary>True for users synchronised from on-premises AD (their mailbox lives on-premises).</summary>
    public bool? OnPremisesSyncEnabled { get; init; }

    public string? GivenName { get; init; }

    public string? Surname { get; init; }

    public ImmutableArray<AssignedLicense> AssignedLicenses { get; init; } = [];

    public ImmutableArray<AssignedPlan> AssignedPlans { get; init; } = [];

    /// <summary>Directory role template ids (the <c>wids</c> claim of the user's tokens).</summary>
    public ImmutableArray<Guid> DirectoryRoleTemplateIds { get; init; } = [];

    /// <summary>
    /// The mailbox's other SMTP addresses (aliases), written to <c>proxyAddresses</c> as <c>smtp:…</c> after the
    /// primary <c>SMTP:</c><see cref="Mail"/> (docs/service-behaviour.md#users).
    /// </summary>
    public ImmutableArray<string> Aliases { get; init; } = [];
}

/// <summary>
/// An application password credential (docs/service-behaviour.md#add-password). Only a SHA-256 hash of the secret text is
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
    /// <summary>When the credential was added (replication clock); not a Graph property.</summary>
    public DateTimeOffset CreatedDateTime { get; init; } = StartDateTime;

    public static PasswordCredential Create(Guid keyId, string? displayName, string secretText, DateTimeOffset start, DateTimeOffset end) =>
        new(keyId, displayName, secretText[..Math.Min(3, secretText.Length)], start, end, Hash(secretText));

    public bool Matches(string secretText) =>
        CryptographicOperations.FixedTimeEquals(Hash(secretText).AsSpan(), SecretHash.AsSpan());

    public bool IsActiveAt(DateTimeOffset now) => StartDateTime <= now && now < EndDateTime;

    private static ImmutableArray<byte> Hash(string secretText) =>
        ImmutableArray.Create(SHA256.HashData(Encoding.UTF8.GetBytes(secretText)));
}

/// <summary>
/// A certificate credential (<c>keyCredentials</c> with type AsymmetricX509Cert, usage Verify):
/// the public key a client assertion is checked against. Only the DER certificate is kept.
/// </summary>
public sealed record KeyCredential(
    Guid KeyId,
    string? DisplayName,
    string Type,
    string Usage,
    DateTimeOffset StartDateTime,
    DateTimeOffset EndDateTime,
    ImmutableArray<byte> Certificate)
{
    /// <summary>SHA-1 of the certificate (what <c>x5t</c> carries).</summary>
    public ImmutableArray<byte> Sha1Thumbprint => ImmutableArray.Create(SHA1.HashData(Certificate.AsSpan()));

    /// <summary>SHA-256 of the certificate (what <c>x5t#S256</c> carries).</summary>
    public ImmutableArray<byte> Sha256Thumbprint => ImmutableArray.Create(SHA256.HashData(Certificate.AsSpan()));

    public bool IsActiveAt(DateTimeOffset now) => StartDateTime <= now && now < EndDateTime;

    public static KeyCredential FromCertificate(X509Certificate2 certificate, Guid keyId, string? displayName = null) => new(
        keyId,
        displayName ?? certificate.Subject,
        "AsymmetricX509Cert",
        "Verify",
        new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
        new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
        ImmutableArray.Create(certificate.RawData));
}

/// <summary>A workload identity federation trust: tokens from <see cref="Issuer"/> about <see cref="Subject"/>.</summary>
public sealed record FederatedIdentityCredential(Guid Id, string Name, string Issuer, string Subject, ImmutableArray<string> Audiences);

/// <summary>
/// An application object (docs/service-behaviour.md#create-application). The properties the sandbox acts on are typed; every other
/// writable Graph property is kept as raw JSON text in <see cref="Properties"/> and echoed back.
/// </summary>
public sealed record DirectoryApplication(
    Guid ObjectId,
    Guid AppId,
    string DisplayName,
    DateTimeOffset CreatedDateTime,
    ImmutableList<PasswordCredential> PasswordCredentials)
{
    public string? UniqueName { get; init; }

    public string SignInAudience { get; init; } = "AzureADMyOrg";

    public ImmutableArray<string> Tags { get; init; } = [];

    public string? Notes { get; init; }

    public string? Description { get; init; }

    /// <summary>"Allow public client flows" (device code); null = not set, as Graph shows it.</summary>
    public bool? IsFallbackPublicClient { get; init; }

    public ImmutableList<KeyCredential> KeyCredentials { get; init; } = [];

    public ImmutableList<FederatedIdentityCredential> FederatedIdentityCredentials { get; init; } = [];

    /// <summary>Other writable Graph properties by canonical name, as JSON text.</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Owner object ids (the creator); what Application.ReadWrite.OwnedBy may touch.</summary>
    public ImmutableHashSet<Guid> Owners { get; init; } = [];

    /// <summary>
    /// When it was (soft-)deleted: set while it sits in the deleted-items container
    /// (<c>/directory/deletedItems</c>), null for a live application.
    /// </summary>
    public DateTimeOffset? DeletedDateTime { get; init; }
}

/// <summary>An app role a resource service principal exposes (docs/service-behaviour.md#service-principal).</summary>
public sealed record AppRole(
    Guid Id,
    string Value,
    string DisplayName,
    string Description,
    ImmutableArray<string> AllowedMemberTypes,
    bool IsEnabled = true,
    string Origin = "Application");

/// <summary>A delegated permission a resource service principal exposes (<c>oauth2PermissionScopes</c>).</summary>
public sealed record PermissionScope(Guid Id, string Value, string AdminConsentDisplayName, string AdminConsentDescription, string Type = "Admin");

/// <summary>A service principal (docs/service-behaviour.md#service-principal).</summary>
public sealed record ServicePrincipal(
    Guid Id,
    Guid AppId,
    string DisplayName,
    Guid AppOwnerOrganizationId,
    ImmutableArray<AppRole> AppRoles)
{
    /// <summary>When it was created (replication clock); not a v1.0 Graph property.</summary>
    public DateTimeOffset CreatedDateTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary><c>Application</c> or <c>ManagedIdentity</c>.</summary>
    public string ServicePrincipalType { get; init; } = "Application";

    public bool AccountEnabled { get; init; } = true;

    public bool AppRoleAssignmentRequired { get; init; }

    public ImmutableArray<string> Tags { get; init; } = [];

    public ImmutableArray<string> AlternativeNames { get; init; } = [];

    public ImmutableArray<PermissionScope> PermissionScopes { get; init; } = [];

    public string? Notes { get; init; }

    public string? Description { get; init; }

    public string SignInAudience { get; init; } = "AzureADMyOrg";

    /// <summary>
    /// For an application registered in another tenant (e.g. Microsoft's first-party public
    /// clients): whether it may use public client flows. Not a Graph property.
    /// </summary>
    public bool IsPublicClient { get; init; }

    public ImmutableHashSet<Guid> Owners { get; init; } = [];

    /// <summary>Other writable Graph properties by canonical name, as JSON text.</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    public bool IsManagedIdentity => ServicePrincipalType == "ManagedIdentity";
}

/// <summary>An app role assignment: the actual grant (admin consent, docs/service-behaviour.md#app-role-assignment).</summary>
public sealed record AppRoleAssignment(
    string Id,
    Guid PrincipalId,
    Guid ResourceId,
    Guid AppRoleId,
    DateTimeOffset CreatedDateTime,
    string PrincipalDisplayName,
    string ResourceDisplayName,
    string PrincipalType = "ServicePrincipal");

/// <summary>A tenant-wide delegated grant of <paramref name="Scopes"/> to a client for one user.</summary>
public sealed record DelegatedGrant(Guid ClientAppId, Guid UserId, ImmutableArray<string> Scopes);

/// <summary>
/// A Conditional Access policy for workload identities whose only grant control is Block
/// (docs/service-behaviour.md#aadsts-conditional-access): a token request by one of the listed service principals gets AADSTS53003.
/// </summary>
public sealed record ConditionalAccessPolicy(Guid Id, string DisplayName, ImmutableHashSet<Guid> BlockedServicePrincipalIds);

/// <summary>
/// An Exchange application access policy (DenyAccess) on a mailbox (docs/service-behaviour.md#graph-access-denied). A null
/// <see cref="AppId"/> applies to every application (a sandbox simplification).
/// </summary>
public sealed record ApplicationAccessPolicy(Guid Id, Guid MailboxUserId, Guid? AppId);

/// <summary>
/// An app management policy assigned to one application (Graph <c>appManagementPolicy</c>): its password
/// restrictions only. <see cref="MaxLifetimeDays"/> null = no passwordLifetime restriction.
/// </summary>
public sealed record AppManagementPolicy(Guid Id, string DisplayName, int? MaxLifetimeDays, bool BlockPasswordAddition, bool IsEnabled = true);

/// <summary>Well-known ids that are the same in every tenant.</summary>
public static class WellKnownIds
{
    /// <summary>Microsoft Graph's appId (docs/service-behaviour.md#create-application).</summary>
    public static readonly Guid MicrosoftGraphAppId = Guid.Parse("00000003-0000-0000-c000-000000000000");

    /// <summary>Mail.Send application permission id (docs/service-behaviour.md#create-application, verified).</summary>
    public static readonly Guid MailSendRoleId = Guid.Parse("b633e1c5-b582-4048-a93e-9f11b44c7e96");

    public const string MailSendRoleValue = "Mail.Send";

    /// <summary>Mail.Send *delegated* permission id (a scope).</summary>
    public static readonly Guid MailSendScopeId = Guid.Parse("e383f46e-2787-4529-855e-0e479a3ffac0");

    /// <summary>RoleManagement.ReadWrite.Exchange application permission id (Exchange RBAC for Applications).</summary>
    public static readonly Guid RoleManagementReadWriteExchangeRoleId = Guid.Parse("025d3225-3f02-4882-b4c0-cd5b541a4e80");

    /// <summary>The Exchange role that scopes Mail.Send to mailboxes (docs/service-behaviour.md#exchange-rbac).</summary>
    public const string ApplicationMailSendRoleName = "Application Mail.Send";

    /// <summary>Policy.Read.All application permission id.</summary>
    public static readonly Guid PolicyReadAllRoleId = Guid.Parse("246dd0d5-5bd0-4def-940b-0421030a5b68");

    /// <summary>The id of every tenant's default app management policy (a singleton).</summary>
    public static readonly Guid DefaultAppManagementPolicyId = Guid.Empty;

    /// <summary>The restrictForAppsCreatedAfterDateTime the sandbox gives its restrictions (every seeded app is younger).</summary>
    public static readonly DateTimeOffset PolicyCutoff = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Microsoft's own tenant, owner of first-party applications such as Graph.</summary>
    public static readonly Guid MicrosoftTenantId = Guid.Parse("f8cdef31-a31e-4b4a-93e4-5f571e91255a");

    /// <summary>"Microsoft Graph Command Line Tools", the first-party public client (device code).</summary>
    public static readonly Guid GraphCommandLineToolsAppId = Guid.Parse("14d82eec-204b-4c2f-b7e8-296a70dab67e");

    /// <summary>The Global Administrator directory role template id.</summary>
    public static readonly Guid GlobalAdministratorRoleTemplateId = Guid.Parse("62e90394-69f5-4237-9190-012177145e10");

    /// <summary>The audience workload identity federation uses (api://AzureADTokenExchange).</summary>
    public const string TokenExchangeAudience = "api://AzureADTokenExchange";
}
