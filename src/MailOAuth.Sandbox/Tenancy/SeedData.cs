using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>
/// The fixed seed: one tenant, mailboxes and users, applications, Microsoft Graph's service
/// principal, the admin identities (docs/sandbox.md). Ids are fixed except Exchange's role definition ids; those and secrets are random per start.
/// </summary>
public static partial class SeedData
{
    public static readonly Guid TenantId = Guid.Parse("7d272768-1371-4e35-aef5-46086319a765");
    public const string TenantDisplayName = "Contoso (sandbox)";
    public const string VerifiedDomain = "contoso.com";
    public const string InitialDomain = "contoso.onmicrosoft.com";
    public const string UnverifiedDomain = "fabrikam.example";

    public static readonly Guid MicrosoftGraphServicePrincipalId = Guid.Parse("da0dc242-5c7b-465c-acab-927b7f294d5a");
    public static readonly Guid ConditionalAccessPolicyId = Guid.Parse("9c95a06c-f3ae-464a-b671-03ab4c9d06a4");
    public static readonly Guid RestrictedMailboxPolicyId = Guid.Parse("332bce2e-bc1e-41d8-a347-8b244ba1acde");
    public static readonly Guid PublicClientServicePrincipalId = Guid.Parse("e478fe06-2474-4777-a0e2-e2795d5333fd");
    public static readonly Guid AdminCertificateKeyId = Guid.Parse("f50b73e2-7815-47b8-81c7-056de9ce0782");
    public static readonly Guid AdminFederatedCredentialId = Guid.Parse("c193b80a-7bfb-42d4-9779-a29da69e9d34");
    public const string FederatedSubject = "repo:contoso/onboarding:environment:prod";

    /// <summary>Office 365 E3 (ENTERPRISEPACK) sku id, the licence of the seeded mailboxes.</summary>
    public static readonly Guid Office365E3SkuId = Guid.Parse("6fd2c87f-b296-42f0-b197-1e91e994b900");

    /// <summary>Exchange Online (Plan 2) service plan id: present in assignedPlans = an Exchange Online mailbox.</summary>
    public static readonly Guid ExchangeOnlineServicePlanId = Guid.Parse("efb87545-963c-4e0d-99df-69c6916d9eb0");

    private const string SubscriptionId = "1d7d73a0-6206-490e-a6ef-420b09cd1f82";

    /// <summary>The admin roles without any RoleManagement.* (the <c>adminNoExchangeRbac</c> app's roles).</summary>
    public static readonly ImmutableArray<string> AdminRolesWithoutExchangeRbac =
        ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "Domain.Read.All"];

    /// <summary>The admin's app roles on Graph; the managed identities and the device code admin consent get the same.</summary>
    public static readonly ImmutableArray<string> AdminRoles = [.. AdminRolesWithoutExchangeRbac, "RoleManagement.ReadWrite.Exchange"];

    /// <summary>The seeded applied assignment of the <c>scoped</c> app.</summary>
    public static readonly Guid ScopedAssignmentId = Guid.Parse("c5dd3ab8-374f-42e9-b163-eb7c54b53755");

    public static Tenant CreateTenant() => new(TenantId, TenantDisplayName,
    [
        new TenantDomain(VerifiedDomain, IsVerified: true, IsDefault: true, IsInitial: false),
        new TenantDomain(InitialDomain, IsVerified: true, IsDefault: false, IsInitial: true),
        new TenantDomain(UnverifiedDomain, IsVerified: false, IsDefault: false, IsInitial: false),
    ]);

    /// <summary>A new store with the seed in it, and what it holds.</summary>
    public static (DirectoryStore Store, SeededDirectory Seed) Create(DateTimeOffset now, SeedMaterial material, string federatedIssuer)
    {
        var store = new DirectoryStore(CreateTenant());
        var longAgo = now.AddDays(-500);

        var licensed = Mailbox("1263c87e-554b-4149-8c9b-bb4e5fdaff5c", "sender", "Sender", longAgo);
        var unlicensed = User("0ea9fba7-d25c-40e9-8dd6-f59748d9d444", "unlicensed", "Unlicensed User");
        var restricted = Mailbox("1d20e3cc-e7b0-48bc-9bfa-1afa0a7760c8", "restricted", "Restricted Mailbox", longAgo);
        var other = Mailbox("ee304b45-d9f8-4709-9d9a-d5e80f476dd8", "other", "Other User", longAgo);
        // docs/service-behaviour.md#mailbox-not-enabled: guests and on-premises mailboxes have no Exchange Online plan.
        var guest = User("38eef56d-b30d-424f-9db1-f1b9e8ed3058", "guest", "Guest User") with { UserType = "Guest" };
        var onPrem = User("9def6564-6a37-4935-8867-2a3b3b0698de", "onprem", "On-Premises User") with { OnPremisesSyncEnabled = true };
        var adminUser = User("3b127cd8-6b81-4ec3-9d1b-0c1e5bee18cb", "admin", "Sandbox Administrator") with
        {
            GivenName = "Sandbox",
            Surname = "Administrator",
            DirectoryRoleTemplateIds = [WellKnownIds.GlobalAdministratorRoleTemplateId],
        };
        // A mailbox whose primary SMTP address differs from its UPN (common in hybrid tenants): Graph's
        // /users/{id | userPrincipalName} knows it only by jdoe@contoso.com (docs/service-behaviour.md#users).
        // j.doe@contoso.com is only one of its proxyAddresses (an alias): found neither as UPN nor as mail.
        var aliased = Mailbox("5a1d7c2e-3f4b-4e8a-9c6d-2b7e8f9a0c1d", "jdoe", "Jane Doe", longAgo) with
        {
            Mail = "jane.doe@" + VerifiedDomain,
            Aliases = ["j.doe@" + VerifiedDomain, "jdoe@" + VerifiedDomain],
        };
        foreach (var user in new[] { licensed, unlicensed, restricted, other, guest, onPrem, adminUser, aliased })
        {
            store.AddUser(user);
        }

        store.AddServicePrincipal(new ServicePrincipal(
            MicrosoftGraphServicePrincipalId,
            WellKnownIds.MicrosoftGraphAppId,
            "Microsoft Graph",
            // Microsoft Graph is owned by Microsoft's tenant, not this one.
            WellKnownIds.MicrosoftTenantId,
            MicrosoftGraphAppRoles)
        {
            CreatedDateTime = longAgo,
            PermissionScopes = MicrosoftGraphScopes,
            SignInAudience = "AzureADMultipleOrgs",
        });

        var consented = App(store, material, longAgo, "consented", "MailOAuth sandbox (consented)",
            "32ed12c4-b9ad-425f-9b45-38155bc53331", "f2758ea6-2fda-408c-b0b1-5927194f349d", "b3bb51d4-7582-4484-870d-bc165246ab5a", now);
        var unconsented = App(store, material, longAgo, "unconsented", "MailOAuth sandbox (unconsented)",
            "ea63d82b-6fc6-4e01-9a55-2cdd68549886", "3813d744-e044-4010-ae86-2bb18658d9ec", "ab05d542-876c-4a1c-a898-dd8feaf8151d", now);
        var expired = App(store, material, longAgo, "expiredSecret", "MailOAuth sandbox (expired secret)",
            "2c098cd3-6f1c-4410-8172-c80add83c3f2", "aaf49382-eea9-479f-8199-43ac77e18c9e", "31564eb8-58c7-4974-8c99-a31619274500", now,
            secretStart: now.AddDays(-400), secretEnd: now.AddDays(-35));
        var blocked = App(store, material, longAgo, "conditionalAccessBlocked", "MailOAuth sandbox (CA blocked)",
            "05b81d5b-bf7b-471d-b130-342eb1c33c2b", "6c04d43d-d436-4907-89e9-0d38be8cb8f5", "c318787c-a037-4a4a-a2f7-3c7375b35182", now);
        var admin = App(store, material, longAgo, "admin", "MailOAuth sandbox admin",
            "28e60d67-95f6-47b5-b1f0-5299085c77b3", "abeeeca7-0e0a-442f-9378-761111624f8e", "bb185bc3-d53a-4db1-a426-a7e6897a8301", now);
        var noRights = App(store, material, longAgo, "noRightsAdmin", "MailOAuth sandbox admin (no rights)",
            "0b39dec4-e7e6-4ab2-a391-1bfbc09799c0", "332acfd6-a5fd-4412-9724-c79b84e02f67", "85e3902d-8a86-4cbe-9e38-190b63a7fd28", now);

        // The classic mistake: Mail.Send declared as a *delegated* permission (Scope) instead of the
        // application one, and so never consented as an app role: app-only tokens never carry it.
        var delegatedMailSend = App(store, material, longAgo, "delegatedMailSend", "MailOAuth sandbox (delegated Mail.Send)",
            "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", "7a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", "8b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e", now);
        store.UpdateApplication(delegatedMailSend.ObjectId, a => a with
        {
            Properties = a.Properties.SetItem("requiredResourceAccess",
                $"[{{\"resourceAppId\":\"{WellKnownIds.MicrosoftGraphAppId}\",\"resourceAccess\":[{{\"id\":\"{WellKnownIds.MailSendScopeId}\",\"type\":\"Scope\"}}]}}]"),
        });

        // The admin can also sign in with its certificate and as a federated workload.
        store.UpdateApplication(admin.ObjectId, a => a with
        {
            KeyCredentials = [KeyCredential.FromCertificate(material.AdminCertificate, AdminCertificateKeyId)],
            FederatedIdentityCredentials =
            [
                new FederatedIdentityCredential(AdminFederatedCredentialId, "sandbox-oidc-prod", federatedIssuer, FederatedSubject,
                    [WellKnownIds.TokenExchangeAudience]),
            ],
        });

        // No RoleManagement.* at all: Grant-MailSendConsent -Scope Mailbox must stop before it removes anything.
        var adminNoExchangeRbac = App(store, material, longAgo, "adminNoExchangeRbac", "MailOAuth sandbox admin (no Exchange RBAC)",
            "9d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f60", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e", now);
        foreach (var role in AdminRolesWithoutExchangeRbac)
        {
            store.AddAppRoleAssignment(adminNoExchangeRbac.ServicePrincipalId, MicrosoftGraphServicePrincipalId, MicrosoftGraphAppRoles.Single(r => r.Value == role).Id, longAgo);
        }

        // Mail.Send scoped to sender@ with Exchange RBAC for Applications (docs/service-behaviour.md#exchange-rbac): no Graph
        // Mail.Send grant and none requested, one applied "Application Mail.Send" assignment, the scope tag the module writes.
        var scopedAt = new DateTimeOffset(longAgo.UtcDateTime.Ticks - (longAgo.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var scoped = App(store, material, longAgo, "scoped", "MailOAuth sandbox (scoped)",
            "4f3e2d1c-0b9a-4876-9543-210fedcba987", "5e4d3c2b-1a09-4f87-8654-3210fedcba98", "6d5c4b3a-2918-4e76-8765-43210fedcba9", now);
        store.UpdateApplication(scoped.ObjectId, a => a with
        {
            Tags = ["MailOAuth", "MailOAuth:SendScope=Mailbox;" + scopedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)],
        });
        // The tenant's "Application Mail.Send" Exchange role: a tenant-specific id (clients look it up by name).
        var applicationMailSendRoleDefinitionId = SeedExchangeRoles(store, material);
        store.AddExchangeRoleAssignment(new ExchangeRoleAssignment(ScopedAssignmentId, ExchangeRbac.ServicePrincipalsPrefix + scoped.ServicePrincipalId,
            applicationMailSendRoleDefinitionId, "/Users/" + licensed.Id, null, scopedAt));

        // Consent (the appRoleAssignment) for every mail app except "unconsented", so that each of
        // the other apps fails for exactly one reason.
        foreach (var app in new[] { consented, expired, blocked })
        {
            store.AddAppRoleAssignment(app.ServicePrincipalId, MicrosoftGraphServicePrincipalId, WellKnownIds.MailSendRoleId, longAgo);
        }

        var systemIdentity = ManagedIdentity(store, longAgo, "mailoauth-automation", "7a32077c-b511-4650-bf29-125818895f37",
            "6014e05f-691d-4588-b032-4dd370e8d78e", userAssigned: false,
            $"/subscriptions/{SubscriptionId}/resourceGroups/rg-mailoauth/providers/Microsoft.Automation/automationAccounts/mailoauth-automation");
        var userIdentity = ManagedIdentity(store, longAgo, "id-mailoauth", "580f377a-a990-48fd-a7db-1e5f711ba5ea",
            "ee4b2c34-5b26-4d2e-addd-7ba7e2279997", userAssigned: true,
            $"/subscriptions/{SubscriptionId}/resourceGroups/rg-mailoauth/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-mailoauth");

        foreach (var principal in new[] { admin.ServicePrincipalId, systemIdentity.ServicePrincipalId, userIdentity.ServicePrincipalId })
        {
            foreach (var role in AdminRoles)
            {
                store.AddAppRoleAssignment(principal, MicrosoftGraphServicePrincipalId, MicrosoftGraphAppRoles.Single(r => r.Value == role).Id, longAgo);
            }
        }

        // "Microsoft Graph Command Line Tools": a Microsoft first-party public client, present in the
        // tenant as a service principal only, with the admin's consent to the admin scopes.
        store.AddServicePrincipal(new ServicePrincipal(
            PublicClientServicePrincipalId, WellKnownIds.GraphCommandLineToolsAppId, "Microsoft Graph Command Line Tools",
            WellKnownIds.MicrosoftTenantId, [])
        {
            CreatedDateTime = longAgo,
            IsPublicClient = true,
            SignInAudience = "AzureADandPersonalMicrosoftAccount",
        });
        store.GrantDelegated(WellKnownIds.GraphCommandLineToolsAppId, adminUser.Id, AdminRoles);

        store.AddConditionalAccessPolicy(new ConditionalAccessPolicy(
            ConditionalAccessPolicyId, "Block sandbox workload identity", [blocked.ServicePrincipalId]));
        store.AddApplicationAccessPolicy(new ApplicationAccessPolicy(RestrictedMailboxPolicyId, restricted.Id, AppId: null));

        return (store, new SeededDirectory(licensed, unlicensed, restricted, other, consented, unconsented, expired, blocked, UnverifiedDomain)
        {
            Guest = guest,
            OnPrem = onPrem,
            AdminUser = adminUser,
            Admin = admin,
            NoRightsAdmin = noRights,
            SystemAssignedIdentity = systemIdentity,
            UserAssignedIdentity = userIdentity,
            DelegatedMailSend = delegatedMailSend,
            Scoped = scoped,
            AdminNoExchangeRbac = adminNoExchangeRbac,
            ApplicationMailSendRoleDefinitionId = applicationMailSendRoleDefinitionId,
            PublicClientAppId = WellKnownIds.GraphCommandLineToolsAppId,
            FederatedIssuer = federatedIssuer,
            FederatedSubject = FederatedSubject,
        });
    }

    /// <summary>
    /// Exchange's built-in roles as Graph beta lists them (shape of the roleDefinitions doc example, exchange provider);
    /// ids are this tenant's (random per start, the same across reset-directory: <see cref="SeedMaterial.ExchangeRoleDefinitionId"/>).
    /// allowedPrincipalTypes of the "Application …" roles is INFERRED (docs/service-behaviour.md#exchange-rbac).
    /// Returns the id of "Application Mail.Send".
    /// </summary>
    private static Guid SeedExchangeRoles(DirectoryStore store, SeedMaterial material)
    {
        const string E2010 = "(Microsoft.Exchange.Management.PowerShell.E2010)";
        store.AddExchangeRoleDefinition(new(material.ExchangeRoleDefinitionId("Address Lists"), "Address Lists",
            "This role enables administrators to manage address lists, global address lists, and offline address lists in an organization.",
            "0.12 (14.0.451.0)", "user,group", [$"{E2010} Get-AddressBookPolicy", $"{E2010} Get-AddressList", $"{E2010} New-AddressList"]));
        store.AddExchangeRoleDefinition(new(material.ExchangeRoleDefinitionId("Mail Recipients"), "Mail Recipients",
            "This role enables administrators to manage existing mailboxes, mail users, and mail contacts in an organization.",
            "0.12 (14.0.451.0)", "user,group", [$"{E2010} Get-Mailbox", $"{E2010} Set-Mailbox", $"{E2010} Get-MailUser"]));
        store.AddExchangeRoleDefinition(new(material.ExchangeRoleDefinitionId("Application Mail.Read"), "Application Mail.Read",
            "This role enables applications to read mail in the mailboxes of the assignment's scope.",
            "0.12 (15.20.0.0)", "serviceprincipal", ["Mail.Read"]));
        store.AddExchangeRoleDefinition(new(material.ExchangeRoleDefinitionId("Application Mail.ReadWrite"), "Application Mail.ReadWrite",
            "This role enables applications to read and write mail in the mailboxes of the assignment's scope.",
            "0.12 (15.20.0.0)", "serviceprincipal", ["Mail.ReadWrite"]));
        var applicationMailSend = material.ExchangeRoleDefinitionId(WellKnownIds.ApplicationMailSendRoleName);
        store.AddExchangeRoleDefinition(new(applicationMailSend, WellKnownIds.ApplicationMailSendRoleName,
            "This role enables applications to send mail as any user in the mailboxes of the assignment's scope.",
            "0.12 (15.20.0.0)", "serviceprincipal", ["Mail.Send"]));
        store.AddExchangeRoleDefinition(new(material.ExchangeRoleDefinitionId("Application Calendars.ReadWrite"), "Application Calendars.ReadWrite",
            "This role enables applications to read and write the calendars of the mailboxes of the assignment's scope.",
            "0.12 (15.20.0.0)", "serviceprincipal", ["Calendars.ReadWrite"]));
        return applicationMailSend;
    }

    private static DirectoryUser User(string id, string alias, string displayName)
    {
        var upn = $"{alias}@{VerifiedDomain}";
        return new DirectoryUser(Guid.Parse(id), upn, displayName, upn, HasExchangeLicense: false);
    }

    /// <summary>A user with an Exchange Online mailbox: an E3 licence whose plans include Exchange.</summary>
    private static DirectoryUser Mailbox(string id, string alias, string displayName, DateTimeOffset assigned) =>
        User(id, alias, displayName) with
        {
            HasExchangeLicense = true,
            AssignedLicenses = [new AssignedLicense(Office365E3SkuId)],
            AssignedPlans = [new AssignedPlan(assigned, "Enabled", "exchange", ExchangeOnlineServicePlanId)],
        };

    private static SeededApp App(
        DirectoryStore store,
        SeedMaterial material,
        DateTimeOffset created,
        string name,
        string displayName,
        string appId,
        string objectId,
        string servicePrincipalId,
        DateTimeOffset now,
        DateTimeOffset? secretStart = null,
        DateTimeOffset? secretEnd = null)
    {
        var app = new DirectoryApplication(Guid.Parse(objectId), Guid.Parse(appId), displayName, created, []);
        store.AddApplication(app);
        store.AddServicePrincipal(new ServicePrincipal(Guid.Parse(servicePrincipalId), app.AppId, displayName, TenantId, [])
        {
            CreatedDateTime = created,
        });

        var (secretText, keyId) = material.Secret(name);
        var start = secretStart ?? now.AddDays(-1);
        var (credential, _) = store.AddPassword(app.ObjectId, "sandbox", start, secretEnd ?? start.AddYears(2), secretText, keyId, created)!.Value;
        return new SeededApp(name, app.AppId, app.ObjectId, Guid.Parse(servicePrincipalId), credential.KeyId, secretText);
    }

    private static SeededIdentity ManagedIdentity(
        DirectoryStore store, DateTimeOffset created, string name, string clientId, string servicePrincipalId, bool userAssigned, string resourceId)
    {
        store.AddServicePrincipal(new ServicePrincipal(Guid.Parse(servicePrincipalId), Guid.Parse(clientId), name, TenantId, [])
        {
            CreatedDateTime = created,
            ServicePrincipalType = "ManagedIdentity",
            AlternativeNames = [$"isExplicit={(userAssigned ? "True" : "False")}", resourceId],
        });
        return new SeededIdentity(name, Guid.Parse(clientId), Guid.Parse(servicePrincipalId), resourceId);
    }
}
