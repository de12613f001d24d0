using MailOAuth.Core.Platform;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// <see cref="PlatformProfile"/>: the default is the platform API contract (docs/design.md#platform-contract), a JSON
/// profile overrides only what it names, and a profile that cannot work is refused when read.
/// </summary>
public sealed class PlatformProfileTests
{
    /// <summary>The repository root: the folder holding MailOAuth.sln, found above the test binaries.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MailOAuth.sln"))) return dir.FullName;
        throw new InvalidOperationException("MailOAuth.sln not found above " + AppContext.BaseDirectory);
    }

    private static void AssertContract(PlatformProfile p)
    {
        Assert.Equal("Bearer", p.AuthScheme);
        Assert.Equal("Authorization", p.AuthHeader);
        Assert.Equal("/api/v1/reseller/smtp-settings", p.SettingsPath);
        Assert.Equal("GET", p.GetMethod);
        Assert.Equal("PUT", p.SetMethod);
        Assert.Equal("MicrosoftGraphOAuth", p.ProviderValue);
        Assert.Equal("errors", p.ErrorsField);
        Assert.Equal("/api/v1/reseller/smtp-settings/test", p.TestPath);
        Assert.Equal("POST", p.TestMethod);
        Assert.Equal("to", p.TestToField);
        Assert.Equal("delivered", p.DeliveredField);
        Assert.Equal("messageId", p.MessageIdField);
        Assert.Equal("error.code", p.ErrorCodeField);
        Assert.Equal("error.message", p.ErrorMessageField);
        foreach (var field in new[] { "provider", "tenantId", "clientId", "clientSecret", "senderAddress", "clientSecretHint", "updatedAt" })
        {
            Assert.Equal(field, p.Field(field));
            Assert.Equal(field, p.OurField(field));
        }
    }

    [Fact]
    public void The_default_is_the_platform_API_contract()
    {
        var profile = PlatformProfile.Default;

        Assert.Equal("Default", profile.Name);
        AssertContract(profile);
        Assert.Empty(profile.Fields);
    }

    [Fact]
    public void Default_is_a_fresh_instance_so_one_caller_cannot_change_it_for_another()
    {
        var mine = PlatformProfile.Default;
        mine.SettingsPath = "/elsewhere";
        mine.Fields["tenantId"] = "directoryId";

        AssertContract(PlatformProfile.Default);
    }

    [Fact]
    public void The_example_acme_panel_profile_is_read_from_the_repository()
    {
        var path = Path.Combine(RepoRoot(), "examples", "profiles", "acme-panel.json");

        var p = PlatformProfile.FromFile(path);

        Assert.Equal("AcmePanel", p.Name);
        Assert.Equal("Header", p.AuthScheme);
        Assert.Equal("X-Api-Key", p.AuthHeader);
        Assert.Equal("/rest/mail/oauth-config", p.SettingsPath);
        Assert.Equal("GET", p.GetMethod);
        Assert.Equal("POST", p.SetMethod);
        Assert.Equal("office365", p.ProviderValue);
        Assert.Equal("errors", p.ErrorsField);
        Assert.Equal("/rest/mail/send-test", p.TestPath);
        Assert.Equal("POST", p.TestMethod);
        Assert.Equal("recipient", p.TestToField);
        Assert.Equal("ok", p.DeliveredField);
        Assert.Equal("id", p.MessageIdField);
        Assert.Null(p.ErrorCodeField);
        Assert.Equal("problem", p.ErrorMessageField);
        Assert.Equal("mailProvider", p.Field("provider"));
        Assert.Equal("directoryId", p.Field("tenantId"));
        Assert.Equal("applicationId", p.Field("clientId"));
        Assert.Equal("applicationSecret", p.Field("clientSecret"));
        Assert.Equal("fromAddress", p.Field("senderAddress"));
        Assert.Equal("secretHint", p.Field("clientSecretHint"));
        Assert.Equal("modified", p.Field("updatedAt"));
    }

    [Fact]
    public void Members_left_out_keep_the_contract_defaults()
    {
        var p = PlatformProfile.FromJson("""{ "name": "Minimal" }""");

        Assert.Equal("Minimal", p.Name);
        AssertContract(p);
    }

    [Fact]
    public void An_empty_object_is_the_contract_and_names_are_case_insensitive_with_comments_and_trailing_commas()
    {
        AssertContract(PlatformProfile.FromJson("{}"));

        var p = PlatformProfile.FromJson("""
            {
              // a platform that only moves the settings and renames the secret
              "SETTINGSPATH": "/v2/smtp",
              "Fields": { "clientSecret": "secret", },
            }
            """);

        Assert.Equal("/v2/smtp", p.SettingsPath);
        Assert.Equal("secret", p.Field("clientSecret"));
        Assert.Equal("tenantId", p.Field("tenantId"));
        Assert.Equal("/api/v1/reseller/smtp-settings/test", p.TestPath);
        Assert.Equal("PUT", p.SetMethod);
    }

    [Fact]
    public void Field_and_OurField_map_both_ways_case_insensitively_and_unmapped_names_stay()
    {
        var p = PlatformProfile.FromJson("""{ "fields": { "tenantId": "directoryId", "clientSecret": "applicationSecret", "senderAddress": "" } }""");

        Assert.Equal("directoryId", p.Field("tenantId"));
        Assert.Equal("directoryId", p.Field("TENANTID"));
        Assert.Equal("tenantId", p.OurField("directoryId"));
        Assert.Equal("tenantId", p.OurField("DirectoryID"));
        Assert.Equal("clientSecret", p.OurField("applicationSecret"));
        // Not renamed: itself, both ways (an empty mapping counts as not renamed).
        Assert.Equal("clientId", p.Field("clientId"));
        Assert.Equal("senderAddress", p.Field("senderAddress"));
        Assert.Equal("somethingElse", p.OurField("somethingElse"));
    }

    [Fact]
    public void Null_fields_keep_the_contract_names()
    {
        var p = PlatformProfile.FromJson("""{ "fields": null }""");

        Assert.Equal("clientSecret", p.Field("clientSecret"));
        Assert.Empty(p.Fields);
    }

    [Theory]
    [InlineData("""{ "authScheme": "Basic" }""", "AuthScheme")]
    [InlineData("""{ "authScheme": "" }""", "AuthScheme")]
    [InlineData("""{ "settingsPath": "api/v1/settings" }""", "SettingsPath")]
    [InlineData("""{ "settingsPath": "https://other.example.com/api" }""", "SettingsPath")]
    [InlineData("""{ "settingsPath": "  " }""", "SettingsPath")]
    [InlineData("""{ "testPath": "" }""", "TestPath")]
    [InlineData("""{ "testPath": "send-test" }""", "TestPath")]
    public void A_profile_that_cannot_work_is_an_ArgumentException_naming_the_member(string json, string member)
    {
        var ex = Assert.Throws<ArgumentException>(() => PlatformProfile.FromJson(json));

        Assert.Contains(member, ex.Message);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("""{ "authScheme": 42 }""")]
    public void Unreadable_JSON_is_an_ArgumentException(string json)
    {
        Assert.Throws<ArgumentException>(() => PlatformProfile.FromJson(json));
    }

    [Fact]
    public void Header_auth_scheme_is_accepted_in_any_case()
    {
        Assert.Equal("header", PlatformProfile.FromJson("""{ "authScheme": "header", "authHeader": "X-Key" }""").AuthScheme);
        Assert.Equal("BEARER", PlatformProfile.FromJson("""{ "authScheme": "BEARER" }""").AuthScheme);
    }
}
