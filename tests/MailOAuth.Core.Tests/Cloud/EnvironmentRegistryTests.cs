using MailOAuth.Core.Cloud;
using Xunit;

namespace MailOAuth.Core.Tests.Cloud;

/// <summary>Built-in clouds per docs/service-behaviour.md#national-clouds and the rules for custom ones (the sandbox is one).</summary>
public class EnvironmentRegistryTests
{
    [Theory]
    [InlineData("Global", "https://login.microsoftonline.com/", "https://graph.microsoft.com/", "https://graph.microsoft.com/.default", "https://graph.microsoft.com/v1.0")]
    [InlineData("USGov", "https://login.microsoftonline.us/", "https://graph.microsoft.us/", "https://graph.microsoft.us/.default", "https://graph.microsoft.us/v1.0")]
    [InlineData("USGovDoD", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/", "https://dod-graph.microsoft.us/.default", "https://dod-graph.microsoft.us/v1.0")]
    public void Built_in_clouds_have_the_documented_hosts(string name, string authority, string graph, string scope, string graphBase)
    {
        var env = new EnvironmentRegistry().Get(name);

        Assert.Equal(name, env.Name);
        Assert.Equal(new Uri(authority), env.AuthorityHost);
        Assert.Equal(new Uri(graph), env.GraphEndpoint);
        Assert.Equal(scope, env.GraphScope);
        Assert.Equal(graphBase, env.GraphBaseUrl);
        Assert.True(env.IsBuiltIn);
        Assert.False(env.DisableInstanceDiscovery);
        Assert.Null(env.TrustedCertificate);
    }

    [Fact]
    public void China_uses_21Vianet_hosts()
    {
        var env = new EnvironmentRegistry().Get("China");

        // docs/service-behaviour.md#national-clouds: login.chinacloudapi.cn and login.partner.microsoftonline.cn are aliases of one authority.
        Assert.Contains(env.AuthorityHost.Host, new[] { "login.chinacloudapi.cn", "login.partner.microsoftonline.cn" });
        Assert.Equal("https", env.AuthorityHost.Scheme);
        Assert.Equal(new Uri("https://microsoftgraph.chinacloudapi.cn/"), env.GraphEndpoint);
        Assert.Equal("https://microsoftgraph.chinacloudapi.cn/.default", env.GraphScope);
        Assert.True(env.IsBuiltIn);
        Assert.False(env.DisableInstanceDiscovery);
    }

    [Fact]
    public void Exactly_the_four_built_ins_exist_at_first()
    {
        var names = new EnvironmentRegistry().All.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "China", "Global", "USGov", "USGovDoD" }, names);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_name_means_Global(string? name)
    {
        Assert.Equal("Global", new EnvironmentRegistry().Get(name).Name);
        Assert.Equal("Global", EnvironmentRegistry.DefaultName);
    }

    [Fact]
    public void Names_are_case_insensitive()
    {
        var registry = new EnvironmentRegistry();
        Assert.Same(registry.Get("USGov"), registry.Get("usgov"));
        Assert.True(registry.Contains("usgovdod"));
    }

    [Fact]
    public void Unknown_name_fails_and_lists_the_known_ones()
    {
        var ex = Assert.Throws<MailOAuth.Core.Diagnostics.MailOAuthException>(() => new EnvironmentRegistry().Get("Mars"));
        Assert.Equal(MailOAuth.Core.Diagnostics.DiagnosisCode.UnknownEnvironment, ex.Code);
        Assert.Contains("Mars", ex.Message);
        Assert.Contains("Global", ex.Message);
        Assert.Contains("USGovDoD", ex.Message);
    }

    [Fact]
    public void Custom_environment_is_added_with_instance_discovery_off()
    {
        var registry = new EnvironmentRegistry();

        var env = registry.Add("Sandbox", new Uri("https://127.0.0.1:5443"), new Uri("https://127.0.0.1:5443/"), null);

        Assert.False(env.IsBuiltIn);
        Assert.True(env.DisableInstanceDiscovery);
        Assert.Same(env, registry.Get("sandbox"));
        Assert.Equal(new Uri("https://127.0.0.1:5443/"), env.AuthorityHost);
        Assert.Equal("https://127.0.0.1:5443/.default", env.GraphScope);
        Assert.Equal("https://127.0.0.1:5443/v1.0", env.GraphBaseUrl);
        Assert.Equal(5, registry.All.Count);
        // Built-ins first.
        Assert.Equal("Sandbox", registry.All.Last().Name);
        Assert.All(registry.All.Take(4), e => Assert.True(e.IsBuiltIn));
    }

    [Fact]
    public void Paths_are_dropped_from_hosts()
    {
        var env = new EnvironmentRegistry().Add("Private", new Uri("https://login.private.example/tenant/x"), new Uri("https://graph.private.example/v1.0/"), null);
        Assert.Equal(new Uri("https://login.private.example/"), env.AuthorityHost);
        Assert.Equal(new Uri("https://graph.private.example/"), env.GraphEndpoint);
        Assert.Equal("https://graph.private.example/.default", env.GraphScope);
    }

    [Fact]
    public void Custom_environment_can_be_replaced()
    {
        var registry = new EnvironmentRegistry();
        var first = registry.Add("Sandbox", new Uri("https://127.0.0.1:5001"), new Uri("https://127.0.0.1:5001"), null);

        var second = registry.Add("SANDBOX", new Uri("https://127.0.0.1:6001"), new Uri("https://127.0.0.1:6002"), null);

        Assert.NotSame(first, second);
        Assert.Same(second, registry.Get("Sandbox"));
        Assert.Equal(6001, registry.Get("Sandbox").AuthorityHost.Port);
        Assert.Equal(6002, registry.Get("Sandbox").GraphEndpoint.Port);
        Assert.Single(registry.All, e => !e.IsBuiltIn);
    }

    [Theory]
    [InlineData("Global")]
    [InlineData("global")]
    [InlineData("USGov")]
    [InlineData("USGovDoD")]
    [InlineData("China")]
    public void Built_in_cannot_be_replaced(string name)
    {
        var registry = new EnvironmentRegistry();
        var before = registry.Get(name);

        Assert.Throws<ArgumentException>(() => registry.Add(name, new Uri("https://evil.example"), new Uri("https://evil.example"), null));

        Assert.Same(before, registry.Get(name));
        Assert.True(registry.Get(name).IsBuiltIn);
        Assert.DoesNotContain(registry.All, e => e.AuthorityHost.Host == "evil.example");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "https://127.0.0.1:5000")]
    [InlineData("https://127.0.0.1:5000", "http://127.0.0.1:5000")]
    public void Plain_http_is_refused(string authority, string graph)
    {
        var registry = new EnvironmentRegistry();

        var ex = Assert.Throws<ArgumentException>(() => registry.Add("Insecure", new Uri(authority), new Uri(graph), null));

        Assert.Contains("https", ex.Message);
        Assert.False(registry.Contains("Insecure"));
    }

    [Fact]
    public void Relative_uri_is_refused()
    {
        var registry = new EnvironmentRegistry();
        Assert.Throws<ArgumentException>(() => registry.Add("Relative", new Uri("/token", UriKind.Relative), new Uri("https://graph.example"), null));
        Assert.False(registry.Contains("Relative"));
    }

    [Fact]
    public void Registries_are_independent()
    {
        // Nothing global: two sessions (runspaces) side by side do not see each other's clouds.
        var a = new EnvironmentRegistry();
        var b = new EnvironmentRegistry();
        a.Add("Sandbox", new Uri("https://127.0.0.1:5001"), new Uri("https://127.0.0.1:5001"), null);
        Assert.True(a.Contains("Sandbox"));
        Assert.False(b.Contains("Sandbox"));
    }

    [Fact]
    public void OwnsHost_matches_host_and_port_only()
    {
        var env = new EnvironmentRegistry().Add("Sandbox", new Uri("https://127.0.0.1:5001"), new Uri("https://localhost:5002"), null);
        Assert.True(env.OwnsHost(new Uri("https://127.0.0.1:5001/contoso.com/oauth2/v2.0/token")));
        Assert.True(env.OwnsHost(new Uri("https://LOCALHOST:5002/v1.0/users")));
        Assert.False(env.OwnsHost(new Uri("https://127.0.0.1:5002/")));
        Assert.False(env.OwnsHost(new Uri("https://graph.microsoft.com/v1.0/users")));
    }
}
