using System.Collections.Immutable;

namespace MailOAuth.Sandbox.Tenancy;

/// <summary>The part of Microsoft Graph's permission catalogue the seed's Graph service principal publishes.</summary>
public static partial class SeedData
{
    /// <summary>A subset of Microsoft Graph's application permissions (ids are the same in every tenant).</summary>
    public static readonly ImmutableArray<AppRole> MicrosoftGraphAppRoles =
    [
        // docs/service-behaviour.md#service-principal: the Mail.Send entry.
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
        Role(Guid.Parse("18a4783c-866b-4cc7-a460-3d5e5662c884"), "Application.ReadWrite.OwnedBy", "Manage apps that this app creates or owns",
            "Allows the app to create other applications, and fully manage those applications (read, update, update application secrets and delete), without a signed-in user. It cannot update any apps that it is not an owner of."),
        Role(WellKnownIds.PolicyReadAllRoleId, "Policy.Read.All", "Read your organization's policies",
            "Allows the app to read all your organization's policies without a signed in user."),
        Role(Guid.Parse("06b708a9-e830-4db3-a914-8e69da51d44f"), "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments",
            "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user."),
        // docs/service-behaviour.md#exchange-rbac: what the beta roleManagement/exchange endpoints check.
        Role(WellKnownIds.RoleManagementReadWriteExchangeRoleId, "RoleManagement.ReadWrite.Exchange", "Read and write Exchange Online RBAC configuration",
            "Allows the app to read and manage the role-based access control (RBAC) settings for your organization's Exchange Online service, without a signed-in user."),
        Role(Guid.Parse("c769435f-f061-4d0b-8ff1-3d39870e5f85"), "RoleManagement.Read.Exchange", "Read Exchange Online RBAC configuration",
            "Allows the app to read the role-based access control (RBAC) settings for your organization's Exchange Online service, without a signed-in user."),
        Role(Guid.Parse("c7fbd983-d9aa-4fa7-84b8-17382c103bc4"), "RoleManagement.Read.All", "Read role management data for all RBAC providers",
            "Allows the app to read the role-based access control (RBAC) settings for all RBAC providers in your organization, without a signed-in user."),
    ];

    /// <summary>A subset of Microsoft Graph's delegated permissions (ids as published in the permissions reference).</summary>
    public static readonly ImmutableArray<PermissionScope> MicrosoftGraphScopes =
    [
        Scope("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", "Sign in and read user profile", "User"),
        Scope("a154be20-db9c-4678-8ab7-66f6cc099a59", "User.Read.All", "Read all users' full profiles"),
        Scope("06da0dbc-49e2-44d2-8312-53f166ab848a", "Directory.Read.All", "Read directory data"),
        Scope("2f9ee017-59c1-4f1d-9472-bd5529a7b311", "Domain.Read.All", "Read domains"),
        Scope("c79f8feb-a9db-4090-85f9-90d820caa0eb", "Application.Read.All", "Read applications"),
        Scope("bdfbf15f-ee85-4955-8675-146e8e5296b5", "Application.ReadWrite.All", "Read and write all applications"),
        Scope("84bccea3-f856-4a8a-967b-dbe0a3d53a64", "AppRoleAssignment.ReadWrite.All", "Manage app permission grants and app role assignments"),
        Scope("e383f46e-2787-4529-855e-0e479a3ffac0", "Mail.Send", "Send mail as a user", "User"),
        Scope("572fea84-0151-49b2-9301-11cb16974376", "Policy.Read.All", "Read your organization's policies"),
        // Sandbox ids (INFERRED: nothing resolves the delegated Exchange RBAC scopes by id).
        Scope("4a3b1f8e-2c6d-4e7a-9b05-6d2f8c1e3a47", "RoleManagement.ReadWrite.Exchange", "Read and write Exchange Online RBAC configuration"),
        Scope("5b4c2a9f-3d7e-4f8b-8c16-7e3a9d2f4b58", "RoleManagement.Read.Exchange", "Read Exchange Online RBAC configuration"),
        Scope("48fec646-b2ba-4019-8681-8eb31435aded", "RoleManagement.Read.All", "Read role management data for all RBAC providers"),
    ];

    private static AppRole Role(Guid id, string value, string displayName, string description) =>
        new(id, value, displayName, description, ["Application"]);

    private static PermissionScope Scope(string id, string value, string displayName, string type = "Admin") =>
        new(Guid.Parse(id), value, displayName, $"Allows the app to {displayName.ToLowerInvariant()} on behalf of the signed-in user.", type);
}
