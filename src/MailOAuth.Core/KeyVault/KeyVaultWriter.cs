using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.KeyVault;

/// <summary>The facts a vault copy of a client secret is tagged with (so the next rotation knows what it holds).</summary>
internal sealed class VaultSecretFacts
{
    public string AppDisplayName { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string ClientId { get; init; } = "";
    public string KeyId { get; init; } = "";
    public DateTimeOffset ExpiresOn { get; init; }
}

/// <summary>
/// Writes a new client secret to an Azure Key Vault secret with Azure.Security.KeyVault.Secrets' SecretClient: the
/// admin connection's credential (through <see cref="VaultTokenCredential"/>), the module's own HTTP stack as
/// transport (retry, request log, the environment's certificate pin; Azure.Core's own retries off, as for
/// Azure.Identity, docs/design.md#libraries). It never throws for a failed write: the caller still holds the
/// value and outputs it; the outcome says Failed with a diagnosis, and a Warning names the code and the fix.
/// </summary>
internal static class KeyVaultWriter
{
    /// <summary>The content type of the vault secret (what the value is).</summary>
    public const string ContentType = "client-secret";

    public static async Task<KeyVaultOutcome> StoreAsync(MailOAuthSession session, AdminConnection connection, KeyVaultRequest request,
        VaultSecretFacts facts, System.Security.SecureString value, CancellationToken ct)
    {
        var reporter = OperationContext.CurrentReporter;
        var vault = request.VaultUri;
        var name = request.SecretName ?? KeyVaultNames.SecretNameFor(facts.AppDisplayName, facts.ClientId)!;
        Diagnosis diagnosis;
        try
        {
            // The callers resolved it before anything was written; a failure here still never loses the value.
            vault = KeyVaultNames.Resolve(request.VaultUri, connection.Environment);
            if (connection.Method == ConnectMethod.AccessToken)
            {
                diagnosis = DiagnosisCatalog.KeyVaultCredentialUnavailable(vault);
            }
            else
            {
                reporter.Verbose($"Storing the client secret of '{facts.AppDisplayName}' (key id {facts.KeyId}) in Key Vault secret '{name}' at {vault}.");
                var secret = new KeyVaultSecret(name, SecretText.Reveal(value));
                secret.Properties.ContentType = ContentType;
                secret.Properties.ExpiresOn = facts.ExpiresOn;
                secret.Properties.Enabled = true;
                foreach (var tag in Tags(facts)) secret.Properties.Tags[tag.Key] = tag.Value;
                var client = new SecretClient(vault, new VaultTokenCredential(connection.Tokens, connection.TenantId, vault), Options(session, connection));
                var stored = await client.SetSecretAsync(secret, ct).ConfigureAwait(false);
                reporter.Verbose($"Key Vault secret '{name}' now holds the new client secret (version {stored.Value.Properties.Version}).");
                return new KeyVaultOutcome { Status = KeyVaultStatus.Stored, SecretName = name, SecretId = stored.Value.Id };
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnosis = Explain(ex, vault, name, connection.Account ?? connection.ClientId, connection.Environment, connection.TenantId);
        }
        reporter.Warning($"{diagnosis.Code}: {diagnosis.Message} {diagnosis.Remediation}");
        return new KeyVaultOutcome { Status = KeyVaultStatus.Failed, SecretName = name, Diagnosis = diagnosis };
    }

    /// <summary>ClientId, KeyId, ExpiresOn (ISO 8601, UTC), TenantId and ManagedBy=MailOAuth.</summary>
    internal static IReadOnlyDictionary<string, string> Tags(VaultSecretFacts facts) => new Dictionary<string, string>
    {
        ["ClientId"] = facts.ClientId,
        ["KeyId"] = facts.KeyId,
        ["ExpiresOn"] = facts.ExpiresOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["TenantId"] = facts.TenantId,
        ["ManagedBy"] = "MailOAuth",
    };

    /// <summary>The environment's HTTP stack as transport, no Azure.Core retries (the module's RetryHandler is in the transport).</summary>
    internal static SecretClientOptions Options(MailOAuthSession session, AdminConnection connection)
    {
        var options = new SecretClientOptions
        {
            Transport = new HttpClientTransport(session.HttpFor(connection.Environment).CreateClient()),
            // The SDK checks that the challenge's resource is a parent domain of the vault's host; kept on.
            DisableChallengeResourceVerification = false,
        };
        options.Retry.MaxRetries = 0;
        return options;
    }

    /// <summary>
    /// Key Vault's answers by HTTP status (docs/service-behaviour.md#key-vault-errors): 401/403 access, 404 no such
    /// vault, 400/409 the secret refused, 429/5xx transient; no answer: a name that does not resolve means no
    /// such vault, anything else is a network failure; the SDK's refusal of a challenge whose resource does not
    /// match the vault's host (an InvalidOperationException or UriFormatException from its challenge policy;
    /// it carries no code) means the URI is no vault of this cloud.
    /// </summary>
    internal static Diagnosis Explain(Exception ex, Uri vault, string name, string? identity, Cloud.CloudEnvironment environment, string tenantId)
    {
        if (ex is MailOAuthException explained) return explained.Diagnosis;
        if (ex is RequestFailedException failed && failed.Status != 0)
        {
            return failed.Status switch
            {
                401 or 403 => DiagnosisCatalog.KeyVaultAccessDenied(vault, name, identity, failed.Status, failed.ErrorCode),
                404 => DiagnosisCatalog.KeyVaultNotFound(vault, nameUnresolved: false, failed.Status, failed.ErrorCode),
                400 or 409 or 413 => DiagnosisCatalog.KeyVaultRejected(vault, name, failed.Status, failed.ErrorCode),
                429 or >= 500 => DiagnosisCatalog.KeyVaultUnavailable(vault, failed.Status, failed.ErrorCode, OperationContext.Current?.Retries),
                _ => DiagnosisCatalog.KeyVaultRejected(vault, name, failed.Status, failed.ErrorCode),
            };
        }
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.HostNotFound })
                return DiagnosisCatalog.KeyVaultNotFound(vault, nameUnresolved: true, 0, null);
        }
        if (ex is InvalidOperationException or UriFormatException && ex.TargetSite?.DeclaringType?.Namespace?.StartsWith("Azure.Security.KeyVault", StringComparison.Ordinal) == true)
            return DiagnosisCatalog.KeyVaultChallengeMismatch(vault, environment);
        return DiagnosisCatalog.Explain(ex, new DiagnosisContext { Operation = "store the client secret in Key Vault", TenantId = tenantId }, vault);
    }
}
