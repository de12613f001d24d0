using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Graph;
using MailOAuth.Core.Http;

namespace MailOAuth.Core.Auth;

/// <summary>
/// Connect-MailOAuth: builds the Azure.Identity credential for the chosen sign-in method, gets one
/// Graph token to prove it works (and to learn the tenant GUID and what the token grants), and keeps
/// the connection in the session. Later provisioning calls reuse that credential's token cache.
/// </summary>
public sealed class ConnectionService
{
    /// <summary>
    /// The public client used for interactive and device-code sign-in when -ClientId is not given:
    /// "Microsoft Graph Command Line Tools", pre-consentable in every tenant.
    /// </summary>
    public const string DefaultPublicClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

    /// <summary>
    /// The delegated permissions -ExchangeRbac asks for by name: what provisioning uses (Policy.Read.All for the secret-policy
    /// pre-flight, which otherwise degrades to "unknown" on a fresh consent), plus RoleManagement.ReadWrite.Exchange.
    /// A token for named scopes also carries those consented earlier for the same client (docs/service-behaviour.md#exchange-rbac).
    /// </summary>
    public static readonly string[] ExchangeRbacScopes =
    {
        "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All", "Domain.Read.All", "Policy.Read.All",
        "RoleManagement.ReadWrite.Exchange",
    };

    private readonly MailOAuthSession _session;

    public ConnectionService(MailOAuthSession session) => _session = session;

    public async Task<AdminConnection> ConnectAsync(ConnectRequest request, DeviceCodeHandler? deviceCode, CancellationToken cancellationToken)
    {
        // A new Connect ends the previous connection first, whatever its outcome: after a failed connect to
        // tenant B, no later command may silently act on tenant A.
        var previous = _session.Connection;
        _session.Connection = null;
        try
        {
            return await Explained.RunAsync("sign in (Connect-MailOAuth)", null, () => ConnectCoreAsync(request, deviceCode, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (MailOAuthException ex) when (previous is not null)
        {
            throw new MailOAuthException(ex.Diagnosis.WithNote(EndedNote(previous)), ex);
        }
        catch (Exception) when (previous is not null)
        {
            OperationContext.CurrentReporter.Warning(EndedNote(previous));
            throw;
        }
    }

    private static string EndedNote(AdminConnection previous) =>
        $"The earlier connection to tenant {previous.TenantId} ({previous.Environment.Name}) was ended, so that no later command acts on the wrong tenant: connect again.";

    private async Task<AdminConnection> ConnectCoreAsync(ConnectRequest request, DeviceCodeHandler? deviceCode, CancellationToken cancellationToken)
    {
        var environment = _session.Environments.Get(request.EnvironmentName);
        var http = _session.HttpFor(environment);
        var credential = CreateCredential(request, http, deviceCode);
        var context = new DiagnosisContext
        {
            TenantId = request.TenantId,
            ClientId = request.ClientId,
            EnvironmentName = environment.Name,
            SecretLooksLikeSecretId = request.ClientSecret is not null && SecretText.LooksLikeSecretId(SecretText.Reveal(request.ClientSecret)),
        };
        if (request.Method == ConnectMethod.AccessToken) RequireUsableAccessToken(SecretText.Reveal(request.AccessToken!), environment, _session.TimeProvider.GetUtcNow());
        // -ExchangeRbac names the permissions (with RoleManagement.ReadWrite.Exchange) so that the admin is asked to consent
        // to it; "/.default" only returns what was consented before. App-only sign-in needs the app role instead.
        var delegated = request.Method is ConnectMethod.Interactive or ConnectMethod.DeviceCode;
        var tokens = request.ExchangeRbac && delegated
            ? TokenSource.ForDelegatedScopes(environment, credential, context, ExchangeRbacScopes)
            : TokenSource.For(environment, credential, context);
        OperationContext.CurrentReporter.Verbose($"Signing in to tenant {request.TenantId} ({environment.Name}) with {request.Method}.");
        var token = await tokens.GetGraphTokenAsync(cancellationToken).ConfigureAwait(false);
        var claims = AccessTokenClaims.Decode(token.Token);
        var connection = new AdminConnection(environment, claims.TenantId ?? request.TenantId, request.Method, claims.UserPrincipalName,
            claims.AppId ?? request.ClientId, claims.Roles, claims.Scopes, tokens, GraphClients.Create(http, tokens), _session.TimeProvider.GetUtcNow());
        OperationContext.CurrentReporter.Verbose(
            $"Connected to tenant {connection.TenantId} as {connection.Account ?? connection.ClientId}; " +
            $"permissions: {string.Join(", ", connection.Roles.Concat(connection.Scopes).DefaultIfEmpty("none"))}.");
        _session.Connection = connection;
        return connection;
    }

    private static TokenCredential CreateCredential(ConnectRequest r, HttpStack http, DeviceCodeHandler? deviceCode)
    {
        switch (r.Method)
        {
            case ConnectMethod.ClientSecret:
                return new ClientSecretCredential(r.TenantId, Require(r.ClientId, "ClientId"), SecretText.Reveal(Require(r.ClientSecret, "ClientSecret")),
                    CredentialOptions.Configure(new ClientSecretCredentialOptions(), http));
            case ConnectMethod.Certificate:
                return new ClientCertificateCredential(r.TenantId, Require(r.ClientId, "ClientId"), LoadCertificate(r),
                    CredentialOptions.Configure(new ClientCertificateCredentialOptions(), http));
            case ConnectMethod.FederatedToken when r.FederatedTokenFile is not null:
                // Read on every assertion: a projected token (AKS workload identity) is rotated in place,
                // so a long run keeps working past the first token's lifetime.
                var file = r.FederatedTokenFile;
                if (!File.Exists(file)) throw new MailOAuthException(DiagnosisCatalog.FederatedTokenFileMissing(file));
                return new ClientAssertionCredential(r.TenantId, Require(r.ClientId, "ClientId"), _ => Task.FromResult(File.ReadAllText(file).Trim()),
                    CredentialOptions.Configure(new ClientAssertionCredentialOptions(), http));
            case ConnectMethod.FederatedToken:
                var federated = SecretText.Reveal(Require(r.FederatedToken, "FederatedToken"));
                return new ClientAssertionCredential(r.TenantId, Require(r.ClientId, "ClientId"), _ => Task.FromResult(federated),
                    CredentialOptions.Configure(new ClientAssertionCredentialOptions(), http));
            case ConnectMethod.AccessToken:
                return new StaticTokenCredential(SecretText.Reveal(Require(r.AccessToken, "AccessToken")), http.TimeProvider);
            case ConnectMethod.ManagedIdentity:
                var id = string.IsNullOrEmpty(r.ClientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(r.ClientId);
                var miOptions = new ManagedIdentityCredentialOptions(id);
                CredentialOptions.Configure(miOptions, http);
                return new ManagedIdentityCredential(miOptions);
            case ConnectMethod.DeviceCode:
                var dc = CredentialOptions.Configure(new DeviceCodeCredentialOptions
                {
                    TenantId = r.TenantId,
                    ClientId = r.ClientId ?? DefaultPublicClientId,
                    DeviceCodeCallback = (info, ct) => deviceCode is null
                        ? Task.CompletedTask
                        : deviceCode(new DeviceCodePrompt(info.Message, info.UserCode, info.VerificationUri, info.ExpiresOn), ct),
                }, http);
                return new DeviceCodeCredential(dc);
            default:
                return new InteractiveBrowserCredential(CredentialOptions.Configure(new InteractiveBrowserCredentialOptions
                {
                    TenantId = r.TenantId,
                    ClientId = r.ClientId ?? DefaultPublicClientId,
                }, http));
        }
    }

    /// <summary>
    /// A certificate from a file (PFX with optional password, or PEM with its key) or from the current
    /// user's / local machine's "My" store by thumbprint. Needs its private key.
    /// </summary>
    internal static X509Certificate2 LoadCertificate(ConnectRequest r)
    {
        X509Certificate2? cert;
        if (!string.IsNullOrEmpty(r.CertificatePath))
        {
            var password = r.CertificatePassword is null ? null : SecretText.Reveal(r.CertificatePassword);
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(r.CertificatePath!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new MailOAuthException(DiagnosisCatalog.CertificateUnreadable(r.CertificatePath!, fileUnreadable: true), ex);
            }
            try
            {
                cert = new X509Certificate2(bytes, password);
            }
            catch (CryptographicException ex)
            {
                // The .NET text ("The specified network password is not correct", …) is not shown: it
                // varies by platform and says nothing the diagnosis does not.
                throw new MailOAuthException(DiagnosisCatalog.CertificateUnreadable(r.CertificatePath!, fileUnreadable: false), ex);
            }
        }
        else
        {
            var thumbprint = Require(r.CertificateThumbprint, "CertificateThumbprint").Replace(" ", "").ToUpperInvariant();
            cert = FindInStore(StoreLocation.CurrentUser, thumbprint) ?? FindInStore(StoreLocation.LocalMachine, thumbprint)
                ?? throw new MailOAuthException(DiagnosisCatalog.CertificateNotInStore(thumbprint));
        }
        if (!cert.HasPrivateKey)
            throw new MailOAuthException(DiagnosisCatalog.CertificateWithoutKey(cert.Thumbprint));
        return cert;
    }

    private static X509Certificate2? FindInStore(StoreLocation location, string thumbprint)
    {
        try
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly);
            return store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false).OfType<X509Certificate2>().FirstOrDefault();
        }
        catch (CryptographicException)
        {
            return null; // e.g. no LocalMachine store on Linux
        }
    }

    /// <summary>
    /// A token from elsewhere is used as given, so check before anything else that it is a Graph token of
    /// this cloud (aud: the Graph root or Graph's appId, docs/service-behaviour.md#token-roles) and not expired.
    /// </summary>
    private static void RequireUsableAccessToken(string token, CloudEnvironment environment, DateTimeOffset now)
    {
        var claims = AccessTokenClaims.Decode(token);
        var graph = environment.GraphEndpoint.GetLeftPart(UriPartial.Authority);
        var aud = claims.Audience?.TrimEnd('/');
        if (aud is null || !(string.Equals(aud, graph, StringComparison.OrdinalIgnoreCase) || aud == Entra.EntraIds.GraphAppId))
            throw new MailOAuthException(DiagnosisCatalog.AccessTokenWrongAudience(aud, environment.Name, graph, environment.GraphScope));
        if (claims.ExpiresOn is { } exp && exp <= now)
            throw new MailOAuthException(DiagnosisCatalog.AccessTokenExpired(exp, graph));
    }

    private static T Require<T>(T? value, string name) where T : class =>
        value ?? throw new MailOAuthException(DiagnosisCatalog.SignInParameterMissing(name));
}
