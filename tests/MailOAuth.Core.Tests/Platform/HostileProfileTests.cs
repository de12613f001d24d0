using MailOAuth.Core.Cloud;
using MailOAuth.Core.Platform;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// A profile can only describe a platform's dialect: it can never silently drop the API token, put it
/// in a header the HTTP stack owns, turn a read into a delete, point a path at another host, or make
/// MailOAuth read megabytes. URIs never carry credentials.
/// </summary>
public sealed class HostileProfileTests
{
    [Theory]
    [InlineData("{\"authScheme\":\"Header\",\"authHeader\":\"\"}", "AuthHeader")]
    [InlineData("{\"authScheme\":\"Header\",\"authHeader\":\"  \"}", "AuthHeader")]
    [InlineData("{\"authScheme\":\"Header\",\"authHeader\":\"Host\"}", "HTTP stack owns")]
    [InlineData("{\"authScheme\":\"Header\",\"authHeader\":\"content-length\"}", "HTTP stack owns")]
    [InlineData("{\"authScheme\":\"Header\",\"authHeader\":\"X-Key\\r\\nX-Evil: 1\"}", "AuthHeader")]
    [InlineData("{\"getMethod\":\"DELETE\"}", "GetMethod must be GET")]
    [InlineData("{\"getMethod\":\" \"}", "GetMethod must be GET")]
    [InlineData("{\"getMethod\":\"POST\"}", "GetMethod must be GET")]
    [InlineData("{\"setMethod\":\"DELETE\"}", "SetMethod")]
    [InlineData("{\"testMethod\":\"GET\"}", "TestMethod")]
    [InlineData("{\"settingsPath\":\"//evil.example.com/steal\"}", "SettingsPath")]
    [InlineData("{\"settingsPath\":\"https://evil.example.com/\"}", "SettingsPath")]
    [InlineData("{\"testPath\":\"/api/../../admin\"}", "TestPath")]
    [InlineData("{\"testPath\":\"/api/test?x=1\"}", "TestPath")]
    [InlineData("{\"testPath\":\"/api\\\\test\"}", "TestPath")]
    [InlineData("{\"settingsPath\":\"/a b\"}", "SettingsPath")]
    [InlineData("{\"fields\":{\"clientSecret\":\"  \"}}", "Fields.clientSecret")]
    [InlineData("{\"fields\":{\"clientSecret\":\"a\\nb\"}}", "Fields.clientSecret")]
    [InlineData("{\"errorMessageField\":\"\"}", "ErrorMessageField")]
    [InlineData("{\"providerValue\":\"\"}", "ProviderValue")]
    public void A_hostile_profile_is_refused_naming_what_is_wrong(string json, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => PlatformProfile.FromJson(json));

        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
    }

    [Fact]
    public void A_huge_profile_is_refused_before_it_is_parsed()
    {
        var json = "{\"name\":\"" + new string('x', PlatformProfile.MaxProfileChars) + "\"}";

        var ex = Assert.Throws<ArgumentException>(() => PlatformProfile.FromJson(json));

        Assert.Contains("KB", ex.Message);
    }

    [Fact]
    public void A_huge_profile_file_is_refused_without_reading_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "mailoauth-huge-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{\"name\":\"" + new string('x', PlatformProfile.MaxProfileChars * 4) + "\"}");
        try
        {
            var ex = Assert.Throws<ArgumentException>(() => PlatformProfile.FromFile(path));
            Assert.Contains("KB", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shipped_example_profile_and_the_default_still_validate()
    {
        var acme = PlatformProfile.FromFile(Path.Combine(PlatformProfileTests.RepoRoot(), "examples", "profiles", "acme-panel.json"));

        Assert.Equal("X-Api-Key", acme.AuthHeader);
        Assert.Equal("GET", PlatformProfile.FromJson("{}").GetMethod);
    }

    [Theory]
    [InlineData("https://user:p%40ss@portal.example.com/")]
    [InlineData("https://admin@portal.example.com/")]
    [InlineData("http://user:pw@127.0.0.1:8080/")]
    public void A_platform_uri_with_credentials_is_refused_without_printing_them(string uri)
    {
        var ex = Assert.Throws<ArgumentException>(() => PlatformClient.RequireSecureUri(new Uri(uri)));

        Assert.Contains("user name or password", ex.Message);
        Assert.DoesNotContain("p%40ss", ex.Message);
        Assert.DoesNotContain("pw@", ex.Message);
        Assert.DoesNotContain("admin@", ex.Message);
    }

    [Fact]
    public void An_environment_uri_with_credentials_is_refused_without_printing_them()
    {
        var registry = new EnvironmentRegistry();

        var ex = Assert.Throws<ArgumentException>(() =>
            registry.Add("Evil", new Uri("https://user:secretpw@login.example.com/"), new Uri("https://graph.example.com/"), null));

        Assert.Contains("user name or password", ex.Message);
        Assert.DoesNotContain("secretpw", ex.Message);
        Assert.False(registry.Contains("Evil"));
    }
}
