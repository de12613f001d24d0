using System.Text.Json.Serialization;
using MailOAuth.Sandbox.Platform;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>
/// What a running sandbox tells its clients: the start-up JSON line (docs/sandbox.md), typed.
/// URIs have no trailing slash. Property order is the JSON order.
/// </summary>
public sealed record SandboxInfo
{
    [JsonPropertyName("sandbox")] public string Sandbox { get; init; } = "MailOAuth.Sandbox";
    [JsonPropertyName("baseUri")] public required string BaseUri { get; init; }
    [JsonPropertyName("authorityHost")] public required string AuthorityHost { get; init; }
    [JsonPropertyName("graphEndpoint")] public required string GraphEndpoint { get; init; }
    [JsonPropertyName("certificatePath")] public required string CertificatePath { get; init; }
    [JsonPropertyName("certificateThumbprint")] public required string CertificateThumbprint { get; init; }
    [JsonPropertyName("tenantId")] public required string TenantId { get; init; }
    [JsonPropertyName("tenantDomain")] public required string TenantDomain { get; init; }
    [JsonPropertyName("tenantDisplayName")] public required string TenantDisplayName { get; init; }
    [JsonPropertyName("unverifiedDomain")] public required string UnverifiedDomain { get; init; }
    [JsonPropertyName("mailboxes")] public required SandboxMailboxes Mailboxes { get; init; }
    [JsonPropertyName("apps")] public required SandboxApps Apps { get; init; }

    /// <summary>The provisioning admin app: every offline sign-in method (docs/sandbox.md).</summary>
    [JsonPropertyName("admin")] public required SandboxAdmin Admin { get; init; }

    /// <summary>A client with a secret and no app roles: directory calls give 403 Authorization_RequestDenied.</summary>
    [JsonPropertyName("noRightsAdmin")] public required SandboxClient NoRightsAdmin { get; init; }

    /// <summary>The admin roles minus RoleManagement.ReadWrite.Exchange: cannot scope Mail.Send with Exchange RBAC.</summary>
    [JsonPropertyName("adminNoExchangeRbac")] public required SandboxApp AdminNoExchangeRbac { get; init; }

    /// <summary>The tenant's "Application Mail.Send" Exchange role definition id (docs/sandbox.md "Exchange RBAC for Applications").</summary>
    [JsonPropertyName("exchangeMailSendRoleDefinitionId")] public required string ExchangeMailSendRoleDefinitionId { get; init; }

    /// <summary>The managed identity endpoint (App Service protocol 2019-08-01) and its identities.</summary>
    [JsonPropertyName("managedIdentity")] public required SandboxManagedIdentity ManagedIdentity { get; init; }

    /// <summary>The public client for the device code flow ("Microsoft Graph Command Line Tools").</summary>
    [JsonPropertyName("publicClientId")] public required string PublicClientId { get; init; }

    /// <summary>The Global Administrator every device code signs in as (not a mailbox).</summary>
    [JsonPropertyName("adminUser")] public required string AdminUser { get; init; }

    /// <summary>The reference reseller platform served at <see cref="BaseUri"/> (docs/sandbox.md "Reseller platform").</summary>
    [JsonPropertyName("platform")] public required SandboxPlatform Platform { get; init; }

    /// <summary>The DNS server serving the seeded domains (UDP and TCP): <c>127.0.0.1:PORT</c>, as -DnsServer takes it.</summary>
    [JsonPropertyName("dns")] public required string Dns { get; init; }

    /// <summary>The start-up facts of <paramref name="runtime"/>, whose files are <paramref name="files"/>.</summary>
    internal static SandboxInfo Describe(SandboxRuntime runtime, SandboxFiles files, string certificateThumbprint)
    {
        var seed = runtime.Seed;
        var tenant = runtime.Directory.Tenant;
        return new SandboxInfo
        {
            BaseUri = runtime.BaseUri,
            AuthorityHost = runtime.AuthorityHost,
            GraphEndpoint = runtime.GraphEndpoint,
            CertificatePath = files.CertificatePath,
            CertificateThumbprint = certificateThumbprint,
            TenantId = tenant.Id.ToString(),
            TenantDomain = tenant.DefaultDomain.Name,
            TenantDisplayName = tenant.DisplayName,
            UnverifiedDomain = seed.UnverifiedDomain,
            Mailboxes = new SandboxMailboxes
            {
                Licensed = seed.Licensed.UserPrincipalName,
                Unlicensed = seed.Unlicensed.UserPrincipalName,
                Restricted = seed.Restricted.UserPrincipalName,
                Other = seed.Other.UserPrincipalName,
                Guest = seed.Guest.UserPrincipalName,
                OnPrem = seed.OnPrem.UserPrincipalName,
            },
            Apps = new SandboxApps
            {
                Consented = ToInfo(seed.Consented),
                Unconsented = ToInfo(seed.Unconsented),
                ExpiredSecret = ToInfo(seed.ExpiredSecret),
                ConditionalAccessBlocked = ToInfo(seed.ConditionalAccessBlocked),
                DelegatedMailSend = ToInfo(seed.DelegatedMailSend),
                Scoped = ToInfo(seed.Scoped),
            },
            Admin = new SandboxAdmin
            {
                ClientId = seed.Admin.AppId.ToString(),
                ClientSecret = seed.Admin.SecretText,
                CertificatePath = files.AdminPfxPath,
                CertificatePassword = runtime.Material.AdminCertificatePassword,
                CertificateThumbprint = runtime.Material.AdminCertificate.Thumbprint,
                FederatedIssuer = seed.FederatedIssuer,
                FederatedSubject = seed.FederatedSubject,
                ObjectId = seed.Admin.ObjectId.ToString(),
                ServicePrincipalId = seed.Admin.ServicePrincipalId.ToString(),
            },
            NoRightsAdmin = new SandboxClient
            {
                ClientId = seed.NoRightsAdmin.AppId.ToString(),
                ClientSecret = seed.NoRightsAdmin.SecretText,
            },
            AdminNoExchangeRbac = ToInfo(seed.AdminNoExchangeRbac),
            ExchangeMailSendRoleDefinitionId = seed.ApplicationMailSendRoleDefinitionId.ToString(),
            ManagedIdentity = new SandboxManagedIdentity
            {
                IdentityEndpoint = runtime.IdentityEndpoint,
                IdentityHeader = runtime.Material.IdentityHeader,
                ClientId = seed.SystemAssignedIdentity.ClientId.ToString(),
                UserAssignedClientId = seed.UserAssignedIdentity.ClientId.ToString(),
            },
            PublicClientId = seed.PublicClientAppId.ToString(),
            AdminUser = seed.AdminUser.UserPrincipalName,
            Platform = new SandboxPlatform
            {
                Uri = runtime.BaseUri,
                ApiToken = runtime.Platform.ApiToken,
                ReadOnlyApiToken = runtime.Platform.ReadOnlyApiToken,
                AdminPage = runtime.BaseUri + AdminPage.PagePath,
            },
            Dns = runtime.DnsServer.Endpoint,
        };
    }

    private static SandboxApp ToInfo(SeededApp app) => new()
    {
        ClientId = app.AppId.ToString(),
        ClientSecret = app.SecretText,
        SecretKeyId = app.SecretKeyId.ToString(),
        ObjectId = app.ObjectId.ToString(),
        ServicePrincipalId = app.ServicePrincipalId.ToString(),
    };
}

/// <summary>
/// The reference reseller platform: its URI (= the sandbox's base URI), its two API tokens
/// (random per start) and its admin page.
/// </summary>
public sealed record SandboxPlatform
{
    /// <summary>The platform URI (PlatformUri): the sandbox's base URI, no trailing slash.</summary>
    [JsonPropertyName("uri")] public required string Uri { get; init; }

    /// <summary>May read and change the SMTP settings and send test emails (<c>Authorization: Bearer</c> or <c>X-Api-Key</c>).</summary>
    [JsonPropertyName("apiToken")] public required string ApiToken { get; init; }

    /// <summary>May only read the SMTP settings: PUT and test give 403.</summary>
    [JsonPropertyName("readOnlyApiToken")] public required string ReadOnlyApiToken { get; init; }

    /// <summary>Admin → Reseller Settings → SMTP Email Settings: <c>{uri}/admin/reseller-settings/smtp</c>.</summary>
    [JsonPropertyName("adminPage")] public required string AdminPage { get; init; }
}

/// <summary>The seeded admin app and its credentials. The PFX and password are per start.</summary>
public sealed record SandboxAdmin
{
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }

    /// <summary>PFX (PKCS#12) with the private key: <c>{stateDir}/admin-client.pfx</c>.</summary>
    [JsonPropertyName("certificatePath")] public required string CertificatePath { get; init; }
    [JsonPropertyName("certificatePassword")] public required string CertificatePassword { get; init; }

    /// <summary>SHA-1 thumbprint, upper-case hex.</summary>
    [JsonPropertyName("certificateThumbprint")] public required string CertificateThumbprint { get; init; }

    /// <summary>The external OIDC issuer the admin trusts: <c>{baseUri}/_sandbox/oidc</c>.</summary>
    [JsonPropertyName("federatedIssuer")] public required string FederatedIssuer { get; init; }
    [JsonPropertyName("federatedSubject")] public required string FederatedSubject { get; init; }
    [JsonPropertyName("objectId")] public required string ObjectId { get; init; }
    [JsonPropertyName("servicePrincipalId")] public required string ServicePrincipalId { get; init; }
}

/// <summary>A client id and its secret.</summary>
public sealed record SandboxClient
{
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }
}

/// <summary>What IDENTITY_ENDPOINT and IDENTITY_HEADER would hold, and the identities' client ids.</summary>
public sealed record SandboxManagedIdentity
{
    [JsonPropertyName("identityEndpoint")] public required string IdentityEndpoint { get; init; }
    [JsonPropertyName("identityHeader")] public required string IdentityHeader { get; init; }

    /// <summary>The system-assigned identity (used when the request names none).</summary>
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("userAssignedClientId")] public required string UserAssignedClientId { get; init; }
}

/// <summary>The seeded mailboxes (userPrincipalName = mail).</summary>
public sealed record SandboxMailboxes
{
    /// <summary>Licensed, no restrictions: sendMail gives 202.</summary>
    [JsonPropertyName("licensed")] public required string Licensed { get; init; }

    /// <summary>No Exchange licence: 404 MailboxNotEnabledForRESTAPI.</summary>
    [JsonPropertyName("unlicensed")] public required string Unlicensed { get; init; }

    /// <summary>Behind an application access policy: 403 ErrorAccessDenied "Access to OData is disabled.".</summary>
    [JsonPropertyName("restricted")] public required string Restricted { get; init; }

    /// <summary>Another licensed mailbox (a valid recipient; a from address the sender may not use).</summary>
    [JsonPropertyName("other")] public required string Other { get; init; }

    /// <summary>A guest (userType Guest), no Exchange Online plan: 404 MailboxNotEnabledForRESTAPI.</summary>
    [JsonPropertyName("guest")] public required string Guest { get; init; }

    /// <summary>Synchronised from on-premises (mailbox on-premises): 404 MailboxNotEnabledForRESTAPI.</summary>
    [JsonPropertyName("onprem")] public required string OnPrem { get; init; }
}

/// <summary>The seeded applications.</summary>
public sealed record SandboxApps
{
    /// <summary>Mail.Send granted: tokens carry <c>roles:["Mail.Send"]</c>.</summary>
    [JsonPropertyName("consented")] public required SandboxApp Consented { get; init; }

    /// <summary>No role assignment: tokens carry no <c>roles</c> claim; sendMail gives 403.</summary>
    [JsonPropertyName("unconsented")] public required SandboxApp Unconsented { get; init; }

    /// <summary>Its only secret expired: AADSTS7000222.</summary>
    [JsonPropertyName("expiredSecret")] public required SandboxApp ExpiredSecret { get; init; }

    /// <summary>Blocked by a Conditional Access policy: AADSTS53003.</summary>
    [JsonPropertyName("conditionalAccessBlocked")] public required SandboxApp ConditionalAccessBlocked { get; init; }

    /// <summary>Mail.Send declared as a *delegated* permission (Scope) instead of the application one; no consent.</summary>
    [JsonPropertyName("delegatedMailSend")] public SandboxApp? DelegatedMailSend { get; init; }

    /// <summary>
    /// Mail.Send scoped to the licensed mailbox with Exchange RBAC for Applications (an applied "Application Mail.Send"
    /// assignment, tag <c>MailOAuth:SendScope=Mailbox;…</c>); no Graph Mail.Send, so tokens carry no roles.
    /// </summary>
    [JsonPropertyName("scoped")] public SandboxApp? Scoped { get; init; }
}

/// <summary>One seeded application. All ids are GUID strings; the secret is random per start.</summary>
public sealed record SandboxApp
{
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("clientSecret")] public required string ClientSecret { get; init; }
    [JsonPropertyName("secretKeyId")] public required string SecretKeyId { get; init; }
    [JsonPropertyName("objectId")] public required string ObjectId { get; init; }
    [JsonPropertyName("servicePrincipalId")] public required string ServicePrincipalId { get; init; }
}

/// <summary>Where a sandbox writes its files in the state directory.</summary>
/// <param name="CertificatePath">The TLS certificate's public part (sandbox.cer).</param>
/// <param name="AdminPfxPath">The admin's client certificate with its private key.</param>
/// <param name="AdminCerPath">The admin's client certificate, public part.</param>
public sealed record SandboxFiles(string CertificatePath, string AdminPfxPath, string AdminCerPath);
