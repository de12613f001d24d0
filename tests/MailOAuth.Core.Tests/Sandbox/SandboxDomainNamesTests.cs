using MailOAuth.Sandbox.Entra;
using MailOAuth.Sandbox.Platform;
using MailOAuth.Sandbox.Tenancy;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// Entra's authority segment and the reseller platform's tenant field accept the same domain
/// names (one definition in the sandbox), so a tenant the platform stores is one Entra can name.
/// </summary>
public sealed class SandboxDomainNamesTests
{
    [Theory]
    [InlineData("contoso.com", true)]
    [InlineData("contoso.onmicrosoft.com", true)]
    [InlineData("fabrikam.example", true)]
    [InlineData("xn--bcher-kva.xn--p1ai", true)] // an IDN top-level label (punycode) is a domain
    [InlineData("contoso.c", true)]
    [InlineData("contoso", false)] // a bare word
    [InlineData("10.0.0.1", false)] // an IP address: the last label is not alphabetic
    [InlineData("contoso.com\n", false)] // a trailing line feed is not part of a name
    [InlineData("-contoso.com", false)]
    [InlineData("contoso-.com", false)]
    [InlineData("contoso..com", false)]
    [InlineData("{{tenantid}}", false)]
    [InlineData("", false)]
    public void Entra_and_the_platform_agree_on_what_a_domain_is(string name, bool isDomain)
    {
        var directory = new DirectoryStore(SeedData.CreateTenant());
        var platformErrors = PlatformProfile.Default.ValidateFields(
            name, Guid.NewGuid().ToString(), "secret", "sender@" + SeedData.VerifiedDomain, secretRequired: true);

        Assert.Equal(isDomain, DomainNames.IsDnsName(name));
        Assert.Equal(isDomain, TenantResolver.Resolve(directory, name) != TenantMatch.Malformed);
        Assert.Equal(isDomain, !platformErrors.Any(e => e.Field == PlatformProfile.Default.TenantIdField));
        Assert.Equal(isDomain, DomainNames.IsEmailAddress("sender@" + name));
    }

    [Fact]
    public void A_name_longer_than_253_characters_is_no_domain()
    {
        var label = new string('a', 63);
        var longest = string.Join('.', label, label, label, new string('b', 61)); // 253 characters
        var tooLong = "c" + longest;

        Assert.True(DomainNames.IsDnsName(longest));
        Assert.False(DomainNames.IsDnsName(tooLong));
        Assert.Equal(TenantMatch.Malformed, TenantResolver.Resolve(new DirectoryStore(SeedData.CreateTenant()), tooLong));
    }

    [Fact]
    public void A_verified_domain_names_the_tenant_and_an_unverified_one_does_not()
    {
        var directory = new DirectoryStore(SeedData.CreateTenant());

        Assert.Equal(TenantMatch.Found, TenantResolver.Resolve(directory, SeedData.VerifiedDomain.ToUpperInvariant()));
        Assert.Equal(TenantMatch.Found, TenantResolver.Resolve(directory, SeedData.TenantId.ToString()));
        Assert.Equal(TenantMatch.NotFound, TenantResolver.Resolve(directory, SeedData.UnverifiedDomain));
        Assert.Equal(TenantMatch.NotFound, TenantResolver.Resolve(directory, Guid.NewGuid().ToString()));
        Assert.Equal(TenantMatch.MultiTenant, TenantResolver.Resolve(directory, "organizations"));
    }
}
