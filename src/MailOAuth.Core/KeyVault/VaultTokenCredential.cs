using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.KeyVault;

/// <summary>
/// The admin connection's credential as Key Vault's SecretClient asks for it. The client learns the scope and
/// the tenant from the vault's 401 challenge (docs/service-behaviour.md#key-vault-challenge); this wrapper
/// (1) asks for a token only for this cloud's Key Vault resource, whatever a server's challenge says, (2) refuses a
/// vault of another tenant than the connection's (its tokens would not be valid there) and otherwise drops the
/// challenge's tenant, since the credential already signs in to the connection's tenant — which Connect-MailOAuth
/// may have named by domain, and Azure.Identity would refuse a GUID it was not configured with — and (3) explains
/// a failure with the catalogue, like every other token request.
/// </summary>
internal sealed class VaultTokenCredential : TokenCredential
{
    private readonly TokenSource _source;
    private readonly string _connectionTenantId;
    private readonly Uri _vault;

    public VaultTokenCredential(TokenSource source, string connectionTenantId, Uri vault)
    {
        _source = source;
        _connectionTenantId = connectionTenantId;
        _vault = vault;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var environment = _source.Environment;
        var expected = environment.KeyVaultAudience!.GetLeftPart(UriPartial.Authority) + "/.default";
        if (requestContext.Scopes.Length != 1 || !string.Equals(requestContext.Scopes[0], expected, StringComparison.OrdinalIgnoreCase))
            throw new MailOAuthException(DiagnosisCatalog.KeyVaultChallengeMismatch(_vault, environment));
        if (requestContext.TenantId is { Length: > 0 } tenant && !string.Equals(tenant, _connectionTenantId, StringComparison.OrdinalIgnoreCase))
            throw new MailOAuthException(DiagnosisCatalog.KeyVaultOtherTenant(_vault, tenant, _connectionTenantId));
        var context = new TokenRequestContext(new[] { expected }, requestContext.ParentRequestId, requestContext.Claims, tenantId: null, isCaeEnabled: requestContext.IsCaeEnabled);
        try
        {
            return await _source.Credential.GetTokenAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MailOAuthException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw new MailOAuthException(DiagnosisCatalog.Explain(ex, _source.Context, environment.AuthorityHost), ex);
        }
    }
}
