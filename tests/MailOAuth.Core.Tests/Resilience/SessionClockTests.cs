using System.Net;
using MailOAuth.Core.Http;
using MailOAuth.Core.Resilience;
using Xunit;

namespace MailOAuth.Core.Tests.Resilience;

/// <summary>
/// The clock given to a <see cref="MailOAuthSession"/> is the one its HTTP stacks wait on: retry waits
/// and per-attempt timeouts of every client the session builds, not only of a handler made by hand.
/// </summary>
public sealed class SessionClockTests
{
    /// <summary>Answers in turn (the last repeats); a null answer never comes (until cancelled). Records when each attempt came.</summary>
    private sealed class Answers(TestClock clock, params HttpStatusCode?[] statuses) : HttpMessageHandler
    {
        private readonly List<TimeSpan> _at = new();

        public IReadOnlyList<TimeSpan> At { get { lock (_at) return _at.ToList(); } }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int index;
            lock (_at)
            {
                _at.Add(clock.Elapsed);
                index = _at.Count - 1;
            }
            var status = statuses[Math.Min(index, statuses.Length - 1)];
            if (status is null) await Task.Delay(Timeout.Infinite, cancellationToken);
            var response = new HttpResponseMessage(status!.Value) { RequestMessage = request };
            if (status == (HttpStatusCode)429) response.Headers.TryAddWithoutValidation("Retry-After", "3");
            return response;
        }
    }

    private static HttpClient ClientOf(HttpStack stack, HttpMessageHandler inner) => new(HttpStack.Chain(stack.CreateModuleHandlers(), inner));

    [Fact]
    public async Task A_Retry_After_is_waited_exactly_on_the_sessions_clock()
    {
        var clock = new TestClock();
        using var session = new MailOAuthSession(new RetryPolicy(attemptTimeout: Timeout.InfiniteTimeSpan), clock);
        var stack = session.HttpForPlatform(new Uri("https://platform.example.test/"));
        var answers = new Answers(clock, (HttpStatusCode)429, HttpStatusCode.OK);
        using var client = ClientOf(stack, answers);

        using var response = await clock.RunAsync(client.GetAsync("https://platform.example.test/api/v1/reseller/smtp-settings"));

        Assert.Same(clock, stack.TimeProvider);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { TimeSpan.Zero, TimeSpan.FromSeconds(3) }, answers.At);
        Assert.Equal(new[] { TimeSpan.FromSeconds(3) }, clock.Waits);
    }

    [Fact]
    public async Task The_default_attempt_timeout_runs_on_the_sessions_clock()
    {
        var clock = new TestClock();
        using var session = new MailOAuthSession(null, clock);
        var stack = session.HttpForPlatform(new Uri("https://platform.example.test/"));
        var answers = new Answers(clock, null, HttpStatusCode.OK);
        using var client = ClientOf(stack, answers);

        var sending = client.GetAsync("https://platform.example.test/api/v1/reseller/smtp-settings");
        Assert.Equal(RetryPolicy.Default.AttemptTimeout, await clock.NextTimerAsync()); // 100 s, as HttpClient's own default
        clock.Advance(RetryPolicy.Default.AttemptTimeout);
        var backoff = await clock.NextTimerAsync(); // no answer: the first backoff (1 s ± 20 %)
        Assert.InRange(backoff, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.2));
        clock.Advance(backoff);
        using var response = await sending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { TimeSpan.Zero, RetryPolicy.Default.AttemptTimeout + backoff }, answers.At);
    }

    [Fact]
    public void Without_a_clock_a_session_uses_the_system_clock()
    {
        using var session = new MailOAuthSession();

        Assert.Same(TimeProvider.System, session.TimeProvider);
        Assert.Same(TimeProvider.System, session.HttpForPlatform(new Uri("https://platform.example.test/")).TimeProvider);
    }
}
