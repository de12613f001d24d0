using System;
using System.Collections.Generic;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Cloud;
using Microsoft.Graph;

namespace MailOAuth.Core.Auth;

/// <summary>How the admin signs in for provisioning (Connect-MailOAuth parameter sets).</summary>
public enum ConnectMethod
{
    Interactive,
    DeviceCode,
    ClientSecret,
    Certificate,
    ManagedIdentity,
    AccessToken,
    FederatedToken,
}

/// <summary>What Connect-MailOAuth asks for. Secrets are SecureString; certificate material is read by Core.</summary>
public sealed class ConnectRequest
{
    public string TenantId { get; init; } = "";
    public string? EnvironmentName { get; init; }
    public ConnectMethod Method { get; init; }
    /// <summary>App (client) ID: the app for secret/certificate/federated sign-in, a user-assigned managed identity, or the public client for interactive sign-in.</summary>
    public string? ClientId { get; init; }
    public SecureString? ClientSecret { get; init; }
    public string? CertificatePath { get; init; }
    public SecureString? CertificatePassword { get; init; }
    public string? CertificateThumbprint { get; init; }
    public SecureString? AccessToken { get; init; }
    public SecureString? FederatedToken { get; init; }
    /// <summary>A file holding the federated token, re-read for every assertion (Kubernetes projected tokens rotate).</summary>
    public string? FederatedTokenFile { get; init; }
    /// <summary>
    /// Interactive and device-code sign-in: also ask for the delegated RoleManagement.ReadWrite.Exchange (scoping
    /// Mail.Send to a mailbox), naming MailOAuth's permissions instead of "/.default" (Connect-MailOAuth -ExchangeRbac).
    /// </summary>
    public bool ExchangeRbac { get; init; }
}

/// <summary>
/// The admin session used for provisioning: which tenant and cloud, how it signed in, and what the
/// token grants. Holds the credential (never the token text outside its cache).
/// </summary>
public sealed class AdminConnection
{
    internal AdminConnection(CloudEnvironment environment, string tenantId, ConnectMethod method, string? account, string? clientId,
        IReadOnlyList<string> roles, IReadOnlyList<string> scopes, TokenSource tokens, GraphServiceClient graph, DateTimeOffset connectedAt)
    {
        Environment = environment;
        TenantId = tenantId;
        Method = method;
        Account = account;
        ClientId = clientId;
        Roles = roles;
        Scopes = scopes;
        Tokens = tokens;
        Graph = graph;
        ConnectedAt = connectedAt;
    }

    public CloudEnvironment Environment { get; }
    /// <summary>The tenant GUID (from the token), whatever form was given.</summary>
    public string TenantId { get; }
    public ConnectMethod Method { get; }
    /// <summary>The signed-in user (delegated sign-in), if any.</summary>
    public string? Account { get; }
    /// <summary>The app or managed identity that signed in (app-only sign-in), or the public client.</summary>
    public string? ClientId { get; }
    /// <summary>Application permissions in the token (app-only sign-in).</summary>
    public IReadOnlyList<string> Roles { get; }
    /// <summary>Delegated permissions in the token (user sign-in).</summary>
    public IReadOnlyList<string> Scopes { get; }
    public DateTimeOffset ConnectedAt { get; }
    internal TokenSource Tokens { get; }
    internal GraphServiceClient Graph { get; }

    /// <summary>True when the token grants <paramref name="permission"/> as a role or a scope.</summary>
    public bool Grants(string permission) =>
        Contains(Roles, permission) || Contains(Scopes, permission);

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list) if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

/// <summary>A device code to show the admin (never only on Verbose: it is the admin's next step).</summary>
public sealed class DeviceCodePrompt
{
    public DeviceCodePrompt(string message, string userCode, Uri verificationUri, DateTimeOffset expiresOn)
    {
        Message = message;
        UserCode = userCode;
        VerificationUri = verificationUri;
        ExpiresOn = expiresOn;
    }

    public string Message { get; }
    public string UserCode { get; }
    public Uri VerificationUri { get; }
    public DateTimeOffset ExpiresOn { get; }
}

/// <summary>A delegate Core calls with the device code; the cmdlet shows it to the admin.</summary>
public delegate Task DeviceCodeHandler(DeviceCodePrompt prompt, CancellationToken cancellationToken);
