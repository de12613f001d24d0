using MailOAuth.Core.Http;
using MailOAuth.Core.Resilience;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Platform;

/// <summary>
/// A certificate trusted for a platform (-PlatformCertificatePath) is trusted for that platform's host and port
/// only: the same self-signed sandbox certificate reached under another host name is refused.
/// </summary>
public sealed class PlatformTrustTests : IClassFixture<CoreSandboxFixture>
{
    private readonly CoreSandboxFixture _sandbox;

    public PlatformTrustTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    [Fact]
    public async Task The_trusted_certificate_serves_the_platform_host_and_no_other()
    {
        var platform = new Uri(_sandbox.Info.Platform.Uri);
        Assert.Equal("127.0.0.1", platform.Host);
        using var stack = new HttpStack(platform, _sandbox.Host.Certificate, new RetryPolicy(maxRetries: 0));
        using var client = stack.CreateClient();

        using (var ok = await client.GetAsync(new Uri(platform, "/_sandbox/requests"), CoreSandboxFixture.Timeout()))
            Assert.True(ok.IsSuccessStatusCode, $"{(int)ok.StatusCode}");

        var otherHost = new UriBuilder(platform) { Host = "localhost", Path = "/_sandbox/requests" }.Uri;
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(otherHost, CoreSandboxFixture.Timeout()));
        Assert.Contains(refused.GetBaseException().GetType().Name, new[] { "AuthenticationException" });

        // Without the certificate, the machine's trust store refuses the platform itself.
        using var plain = new HttpStack(new RetryPolicy(maxRetries: 0));
        using var plainClient = plain.CreateClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => plainClient.GetAsync(new Uri(platform, "/_sandbox/requests"), CoreSandboxFixture.Timeout()));
    }
}
