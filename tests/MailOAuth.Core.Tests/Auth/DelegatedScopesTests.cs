using Azure.Core;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using Xunit;

namespace MailOAuth.Core.Tests.Auth;

/// <summary>
/// Connect-MailOAuth -ExchangeRbac: a user sign-in names MailOAuth's Graph permissions with RoleManagement.ReadWrite.Exchange
/// (so the admin is asked to consent to it) instead of "/.default", which returns only what was consented before and
/// cannot be combined with named scopes of the same resource (docs/service-behaviour.md#exchange-rbac).
/// </summary>
public sealed class DelegatedScopesTests
{
    private static readonly CloudEnvironment Env = new("FakeCloud", new Uri("https://login.fake.test"), new Uri("https://graph.fake.test"), isBuiltIn: false);

    private sealed class Recording : TokenCredential
    {
        public List<string[]> Asked { get; } = new();
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Asked.Add(requestContext.Scopes);
            return new(new AccessToken("e30.e30.sig", DateTimeOffset.UtcNow.AddHours(1)));
        }
    }

    [Fact]
    public async Task ExchangeRbac_names_the_permissions_with_RoleManagement_ReadWrite_Exchange_and_no_default_scope()
    {
        var credential = new Recording();

        await TokenSource.ForDelegatedScopes(Env, credential, new DiagnosisContext(), ConnectionService.ExchangeRbacScopes).GetGraphTokenAsync(CancellationToken.None);

        var scopes = Assert.Single(credential.Asked);
        Assert.Contains("https://graph.fake.test/RoleManagement.ReadWrite.Exchange", scopes);
        Assert.Contains("https://graph.fake.test/Application.ReadWrite.All", scopes);
        Assert.Contains("https://graph.fake.test/AppRoleAssignment.ReadWrite.All", scopes);
        Assert.DoesNotContain(scopes, s => s.EndsWith("/.default", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExchangeRbac_names_Policy_Read_All_so_the_secret_policy_pre_flight_works_on_a_fresh_consent()
    {
        var credential = new Recording();

        await TokenSource.ForDelegatedScopes(Env, credential, new DiagnosisContext(), ConnectionService.ExchangeRbacScopes).GetGraphTokenAsync(CancellationToken.None);

        var scopes = Assert.Single(credential.Asked);
        Assert.Contains("https://graph.fake.test/Policy.Read.All", scopes);
        Assert.Contains("https://graph.fake.test/User.Read.All", scopes);
        Assert.Contains("https://graph.fake.test/Domain.Read.All", scopes);
    }

    [Fact]
    public async Task Without_it_the_sign_in_asks_for_the_default_scope_only()
    {
        var credential = new Recording();

        await TokenSource.For(Env, credential, new DiagnosisContext()).GetGraphTokenAsync(CancellationToken.None);

        Assert.Equal(new[] { "https://graph.fake.test/.default" }, Assert.Single(credential.Asked));
    }
}
