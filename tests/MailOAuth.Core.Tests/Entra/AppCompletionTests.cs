using MailOAuth.Core.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// Tab completion's app lookup, on the fake clock shared with the sandbox: one lookup per connection reused
/// for <see cref="AppCompletion.CacheLifetime"/> and no longer; nothing (and no request) without a connection.
/// Also: Get's days left count from the session's clock, not the machine's.
/// </summary>
public sealed class AppCompletionTests : IClassFixture<ClockedSandboxFixture>, IAsyncLifetime
{
    private readonly ClockedSandboxFixture _sandbox;
    private readonly List<MailOAuthSession> _sessions = new();

    public AppCompletionTests(ClockedSandboxFixture sandbox) => _sandbox = sandbox;

    private TestClock Clock => _sandbox.Clock;

    public async Task InitializeAsync()
    {
        await _sandbox.ResetDirectoryAsync();
        await _sandbox.ResetAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var s in _sessions) s.Dispose();
        return Task.CompletedTask;
    }

    private async Task<MailOAuthSession> ConnectedAsync()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await Clock.RunAsync(_sandbox.ConnectAdminAsync(session));
        return session;
    }

    private async Task<int> AppListingsAsync() =>
        (await _sandbox.RequestsAsync()).Count(r => r.Kind == "directory" && r.Method == "GET" && r.Path.EndsWith("/applications", StringComparison.Ordinal));

    [Fact]
    public async Task Without_a_connection_nothing_is_offered_and_nothing_sent()
    {
        var session = _sandbox.NewSession();
        _sessions.Add(session);
        await _sandbox.ClearRequestLogAsync();
        Assert.Empty(new AppCompletion(session).GetApps());
        Assert.Empty(await _sandbox.RequestsAsync());
    }

    [Fact]
    public async Task The_managed_apps_are_looked_up_once_and_reused_until_the_cache_lifetime_ends()
    {
        var session = await ConnectedAsync();
        var app = await Clock.RunAsync(new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Completion check" }, CoreSandboxFixture.Timeout(60)));
        await _sandbox.ClearRequestLogAsync();

        var first = new AppCompletion(session).GetApps();
        Assert.Contains(first, a => a.ClientId == app.ClientId && a.DisplayName == "Completion check");
        Assert.DoesNotContain(first, a => a.ClientId == _sandbox.Info.Admin.ClientId);
        Assert.Equal(1, await AppListingsAsync());

        Clock.Advance(AppCompletion.CacheLifetime - TimeSpan.FromSeconds(1));
        Assert.Contains(new AppCompletion(session).GetApps(), a => a.ClientId == app.ClientId);
        Assert.Equal(1, await AppListingsAsync());

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(new AppCompletion(session).GetApps(), a => a.ClientId == app.ClientId);
        Assert.Equal(2, await AppListingsAsync());
    }

    [Fact]
    public async Task Get_counts_days_left_from_the_session_clock()
    {
        var session = await ConnectedAsync();
        var app = await Clock.RunAsync(new AppProvisioner(session).NewAsync(new NewAppRequest { DisplayName = "Clock check", SecretLifetimeMonths = 1 }, CoreSandboxFixture.Timeout(60)));
        var info = Assert.Single(await Clock.RunAsync(new AppProvisioner(session).GetAsync(app.ClientId, null, CoreSandboxFixture.Timeout())));
        Assert.Equal(Clock.GetUtcNow(), info.AsOf);
    }
}
