using MailOAuth.Core.Cloud;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.KeyVault;
using Xunit;

namespace MailOAuth.Core.Tests.KeyVault;

/// <summary>Key Vault's naming rules (docs/service-behaviour.md#key-vault-names) and the per-cloud vault suffixes.</summary>
public sealed class KeyVaultNamesTests
{
    [Theory]
    [InlineData("Email OAuth", "Email-OAuth")]
    [InlineData("  Café — Mail  (prod) ", "Cafe-Mail-prod")]
    [InlineData("a_b.c", "a-b-c")]
    [InlineData("Email-OAuth", "Email-OAuth")]
    public void The_default_secret_name_comes_from_the_display_name(string displayName, string expected)
    {
        Assert.Equal(expected, KeyVaultNames.SecretNameFor(displayName, "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67"));
        Assert.True(KeyVaultNames.IsValidSecretName(expected));
    }

    [Fact]
    public void A_name_without_ascii_letters_falls_back_to_the_client_id_and_a_long_one_is_cut_to_127()
    {
        Assert.Equal("MailOAuth-3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67", KeyVaultNames.SecretNameFor("メール", "3f8a6c2e-7d41-4b9a-9e0f-5c2d8b1a4e67"));
        Assert.Null(KeyVaultNames.SecretNameFor("メール", null));
        var cut = KeyVaultNames.SecretNameFor(new string('x', 126) + " y z", null)!;
        Assert.Equal(126, cut.Length); // "…x-" cut at 127 and the trailing hyphen dropped
        Assert.True(KeyVaultNames.IsValidSecretName(cut));
    }

    [Theory]
    [InlineData("https://contoso-ops.vault.azure.net", null)]
    [InlineData("https://contoso-ops.vault.azure.net/", null)]
    [InlineData("http://contoso-ops.vault.azure.net", "https")]
    [InlineData("https://contoso-ops.vault.azure.net/secrets/x", "path")]
    [InlineData("https://contoso-ops.vault.azure.net/?a=b", "path")]
    [InlineData("https://ab.vault.azure.net", "vault name")]
    [InlineData("https://1abc.vault.azure.net", "vault name")]
    [InlineData("https://a--b.vault.azure.net", "vault name")]
    [InlineData("https://10.0.0.1", "IP address")]
    public void The_shape_of_a_vault_uri_is_checked_without_a_connection(string uri, string? problem)
    {
        var found = KeyVaultNames.ShapeProblem(new Uri(uri));
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }

    [Theory]
    [InlineData("Global", "https://kv1.vault.azure.net", true)]
    [InlineData("USGov", "https://kv1.vault.usgovcloudapi.net", true)]
    [InlineData("USGovDoD", "https://kv1.vault.usgovcloudapi.net", true)]
    [InlineData("China", "https://kv1.vault.azure.cn", true)]
    [InlineData("Global", "https://kv1.vault.usgovcloudapi.net", false)]
    [InlineData("China", "https://kv1.vault.azure.net", false)]
    [InlineData("Global", "https://kv1.sub.vault.azure.net", false)]
    public void A_vault_must_belong_to_the_connections_cloud(string cloud, string uri, bool accepted)
    {
        var environment = new EnvironmentRegistry().Get(cloud);
        if (accepted)
        {
            Assert.Equal(new Uri(uri + "/"), KeyVaultNames.Resolve(new Uri(uri), environment));
            Assert.Equal("https://" + environment.KeyVaultSuffix, environment.KeyVaultAudience!.GetLeftPart(UriPartial.Authority));
        }
        else
        {
            var error = Assert.Throws<MailOAuthException>(() => KeyVaultNames.Resolve(new Uri(uri), environment));
            Assert.Equal(DiagnosisCode.KeyVaultUriInvalid, error.Code);
        }
    }

    [Fact]
    public void A_custom_environment_without_a_vault_suffix_refuses_key_vault()
    {
        var registry = new EnvironmentRegistry();
        var plain = registry.Add("Private", new Uri("https://login.example"), new Uri("https://graph.example"), null);
        Assert.Equal(DiagnosisCode.KeyVaultUriInvalid,
            Assert.Throws<MailOAuthException>(() => KeyVaultNames.Resolve(new Uri("https://kv1.vault.example"), plain)).Code);
        var withVaults = registry.Add("Private", new Uri("https://login.example"), new Uri("https://graph.example"), null, "vault.example");
        Assert.Equal(new Uri("https://vault.example/"), withVaults.KeyVaultAudience);
        Assert.Equal(new Uri("https://kv1.vault.example/"), KeyVaultNames.Resolve(new Uri("https://kv1.vault.example"), withVaults));
    }
}
