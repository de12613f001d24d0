namespace MailOAuth.Sandbox.Tenancy;

/// <summary>The ids and the per-start secret of one seeded application.</summary>
public sealed record SeededApp(string Name, Guid AppId, Guid ObjectId, Guid ServicePrincipalId, Guid SecretKeyId, string SecretText);

/// <summary>A seeded managed identity: a service principal of type ManagedIdentity, no application object.</summary>
public sealed record SeededIdentity(string Name, Guid ClientId, Guid ServicePrincipalId, string ResourceId);

/// <summary>What <see cref="SeedData.Create"/> put in the directory (ids and secrets; the store is the runtime's).</summary>
public sealed record SeededDirectory(
    DirectoryUser Licensed,
    DirectoryUser Unlicensed,
    DirectoryUser Restricted,
    DirectoryUser Other,
    SeededApp Consented,
    SeededApp Unconsented,
    SeededApp ExpiredSecret,
    SeededApp ConditionalAccessBlocked,
    string UnverifiedDomain)
{
    public required DirectoryUser Guest { get; init; }

    public required DirectoryUser OnPrem { get; init; }

    /// <summary>The Global Administrator the device code flow signs in (not a mailbox).</summary>
    public required DirectoryUser AdminUser { get; init; }

    /// <summary>Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All, User.Read.All, Domain.Read.All; secret, certificate and federated credentials.</summary>
    public required SeededApp Admin { get; init; }

    /// <summary>A client secret and no app roles at all: every directory call gives 403.</summary>
    public required SeededApp NoRightsAdmin { get; init; }

    public required SeededIdentity SystemAssignedIdentity { get; init; }

    public required SeededIdentity UserAssignedIdentity { get; init; }

    /// <summary>Mail.Send declared as a delegated permission (Scope) only, never consented: app tokens carry no roles.</summary>
    public required SeededApp DelegatedMailSend { get; init; }

    /// <summary>Mail.Send scoped to the licensed mailbox by an applied Exchange "Application Mail.Send" assignment; no Graph Mail.Send.</summary>
    public required SeededApp Scoped { get; init; }

    /// <summary>The admin's roles minus RoleManagement.ReadWrite.Exchange.</summary>
    public required SeededApp AdminNoExchangeRbac { get; init; }

    /// <summary>The tenant's "Application Mail.Send" Exchange role definition id.</summary>
    public required Guid ApplicationMailSendRoleDefinitionId { get; init; }

    public required Guid PublicClientAppId { get; init; }

    public required string FederatedIssuer { get; init; }

    public required string FederatedSubject { get; init; }
}
