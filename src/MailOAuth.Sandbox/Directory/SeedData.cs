using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Directory;

/// <summary>The ids and the per-start secret of one seeded application.</summary>
public sealed record SeededApp(string Name, Guid AppId, Guid ObjectId, Guid ServicePrincipalId, Guid SecretKeyId, string SecretText);

/// <summary>What <see cref="SeedData.Create"/> put in the directory.</summary>
public sealed record SeededDirectory(
    DirectoryStore Store,
    DirectoryUser Licensed,
    DirectoryUser Unlicensed,
    DirectoryUser Restricted,
    DirectoryUser Other,
    SeededApp Consented,
    SeededApp Unconsented,
    SeededApp ExpiredSecret,
    SeededApp ConditionalAccessBlocked,
    string UnverifiedDomain);

/// <summary>
/// The fixed seed: one tenant, four mailboxes, four applications, Microsoft Graph's service
/// principal. Ids are fixed; secrets are random per start.
/// </summary>
public static class SeedData
{
    public static readonly Guid TenantId = Guid.Parse("7d272768-1371-4e35-aef5-46086319a765");
    public const string TenantDisplayName = "Contoso (sandbox)";
    public const string VerifiedDomain = "contoso.com";
    public const string InitialDomain = "contoso.onmicrosoft.com";
    public const string UnverifiedDomain = "fabrikam.example";

    public static readonly Guid MicrosoftGraphServicePrincipalId = Guid.Parse("da0dc242-5c7b-465c-acab-927b7f294d5a");
    public static readonly Guid ConditionalAccessPolicyId = Guid.Parse("9c95a06c-f3ae-464a-b671-03ab4c9d06a4");
    public static readonly Guid RestrictedMailboxPolicyId = Guid.Parse("332bce2e-bc1e-41d8-a347-8b244ba1acde");

    public static SeededDirectory Create(DateTimeOffset now)
    {
        var tenant = new Tenant(TenantId, TenantDisplayName,
        [
            new TenantDomain(VerifiedDomain, IsVerified: true, IsDefault: true, IsInitial: false),
            new TenantDomain(InitialDomain, IsVerified: true, IsDefault: false, IsInitial: true),
            new TenantDomain(UnverifiedDomain, IsVerified: false, IsDefault: false, IsInitial: false),
        ]);
        var store = new DirectoryStore(tenant);

        var licensed = User("1263c87e-554b-4149-8c9b-bb4e5fdaff5c", "sender", "Sender", licensed: true);
        var unlicensed = User("0ea9fba7-d25c-40e9-8dd6-f59748d9d444", "unlicensed", "Unlicensed User", licensed: false);
        var restricted = User("1d20e3cc-e7b0-48bc-9bfa-1afa0a7760c8", "restricted", "Restricted Mailbox", licensed: true);
        var other = User("ee304b45-d9f8-4709-9d9a-d5e80f476dd8", "other", "Other User", licensed: true);
        foreach (var user in new[] { licensed, unlicensed, restricted, other })
        {
            store.AddUser(user);
        }

        store.AddServicePrincipal(new ServicePrincipal(
            MicrosoftGraphServicePrincipalId,
            WellKnownIds.MicrosoftGraphAppId,
            "Microsoft Graph",
            // Microsoft Graph is owned by Microsoft's tenant, not this one.
            Guid.Parse("f8cdef31-a31e-4b4a-93e4-5f571e91255a"),
            MicrosoftGraphAppRoles));

        var consented = App(store, now, "consented", "MailOAuth sandbox (consented)",
            "32ed12c4-b9ad-425f-9b45-38155bc53331", "f2758ea6-2fda-408c-b0b1-5927194f349d", "b3bb51d4-7582-4484-870d-bc165246ab5a");
        var unconsented = App(store, now, "unconsented", "MailOAuth sandbox (unconsented)",
            "ea63d82b-6fc6-4e01-9a55-2cdd68549886", "3813d744-e044-4010-ae86-2bb18658d9ec", "ab05d542-876c-4a1c-a898-dd8feaf8151d");
        var expired = App(store, now, "expiredSecret", "MailOAuth sandbox (expired secret)",
            "2c098cd3-6f1c-4410-8172-c80add83c3f2", "aaf49382-eea9-479f-8199-43ac77e18c9e", "31564eb8-58c7-4974-8c99-a31619274500",
            secretStart: now.AddDays(-400), secretEnd: now.AddDays(-35));
        var blocked = App(store, now, "conditionalAccessBlocked", "MailOAuth sandbox (CA blocked)",
            "05b81d5b-bf7b-471d-b130-342eb1c33c2b", "6c04d43d-d436-4907-89e9-0d38be8cb8f5", "c318787c-a037-4a4a-a2f7-3c7375b35182");

        // Consent (the appRoleAssignment) for every app except "unconsented", so that each of the
        // other apps fails for exactly one reason.
        foreach (var app in new[] { consented, expired, blocked })
        {
            store.AddAppRoleAssignment(app.ServicePrincipalId, MicrosoftGraphServicePrincipalId, WellKnownIds.MailSendRoleId, now);
        }

        store.AddConditionalAccessPolicy(new ConditionalAccessPolicy(
            ConditionalAccessPolicyId, "Block sandbox workload identity", [blocked.ServicePrincipalId]));
        store.AddApplicationAccessPolicy(new ApplicationAccessPolicy(RestrictedMailboxPolicyId, restricted.Id, AppId: null));

        return new SeededDirectory(store, licensed, unlicensed, restricted, other, consented, unconsented, expired, blocked, UnverifiedDomain);
    }

    /// <summary>A subset of Microsoft Graph's application permissions (ids are the same in every tenant).</summary>
    public static readonly ImmutableArray<AppRole> MicrosoftGraphAppRoles =
    [
        // wire §4.5: the Mail.Send entry.
        Role(WellKnownIds.MailSendRoleId, WellKnownIds.MailSendRoleValue, "Send mail as any user",
            "Allows the app to send mail as any user without a signed-in user."),
        Role(Guid.Parse("810c84a8-4a9e-49e6-bf7d-12d183f40d01"), "Mail.Read", "Read mail in all mailboxes",
            "Allows the app to read mail in all mailboxes without a signed-in user."),
        Role(Guid.Parse("40f97065-3a51-4e3d-b9d1-44f4e3b4f9e6"), "MailboxSettings.Read", "Read all user mailbox settings",
            "Allows the app to read user's mailbox settings without a signed-in user."),
        Role(Guid.Parse("df021288-bdef-4463-88db-98f22de89214"), "User.Read.All", "Read all users' full profiles",
            "Allows the app to read user profiles without a signed in user."),
        Role(Guid.Parse("7ab1d382-f21e-4acd-a863-ba3e13f7da61"), "Directory.Read.All", "Read directory data",
            "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user."),
        Role(Guid.Parse("dbb9058a-0e50-45d7-ae91-66909b5d4664"), "Domain.Read.All", "Read domains",
            "Allows the app to read all domain properties without a signed-in user."),
        Role(Guid.Parse("498476ce-e0fe-48b0-b801-37ba7e2685c6"), "Organization.Read.All", "Read organization information",
            "Allows the app to read the organization and related resources, without a signed-in user."),
        Role(Guid.Parse("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"), "Application.Read.All", "Read all applications",
            "Allows the app to read all applications and service principals without a signed-in user."),
        Role(Guid.Parse("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"), "Application.ReadWrite.All", "Read and write all applications",
            "Allows the app to create, read, update and delete applications and service principals without a signed-in user."),
        Role(Guid.Parse("06b708a9-e830-4db3-a914-8e69da51d44f"), "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments",
            "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user."),
    ];

    private static AppRole Role(Guid id, string value, string displayName, string description) =>
        new(id, value, displayName, description, ["Application"]);

    private static DirectoryUser User(string id, string alias, string displayName, bool licensed)
    {
        var upn = $"{alias}@{VerifiedDomain}";
        return new DirectoryUser(Guid.Parse(id), upn, displayName, upn, licensed);
    }

    private static SeededApp App(
        DirectoryStore store,
        DateTimeOffset now,
        string name,
        string displayName,
        string appId,
        string objectId,
        string servicePrincipalId,
        DateTimeOffset? secretStart = null,
        DateTimeOffset? secretEnd = null)
    {
        var app = new DirectoryApplication(Guid.Parse(objectId), Guid.Parse(appId), displayName, now.AddDays(-500), []);
        store.AddApplication(app);
        store.AddServicePrincipal(new ServicePrincipal(Guid.Parse(servicePrincipalId), app.AppId, displayName, TenantId, []));

        var start = secretStart ?? now.AddDays(-1);
        var (credential, secretText) = store.AddPassword(app.ObjectId, "sandbox", start, secretEnd ?? start.AddYears(2))!.Value;
        return new SeededApp(name, app.AppId, app.ObjectId, Guid.Parse(servicePrincipalId), credential.KeyId, secretText);
    }
}
