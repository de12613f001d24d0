using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Resilience;
using Xunit;

namespace MailOAuth.Core.Tests.Resilience;

/// <summary>
/// Retry-After in all its wire forms (docs/design.md#reliability, docs/service-behaviour.md#graph-error-body), and the
/// <see cref="RetryHandler"/>'s waits over a fake inner handler, on a fake clock: every wait is exact
/// and takes no wall time, so these run in parallel with everything else.
/// </summary>
public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = TestClock.Epoch;

    // ---- parsing ----

    [Theory]
    [InlineData("5", 5000)]
    [InlineData("0", 0)]
    [InlineData("2.128", 2128)]
    [InlineData("0.5", 500)]
    public void Seconds_forms_are_parsed(string raw, double expectedMs)
    {
        var wait = RetryPolicy.ParseRetryAfter(raw, Now);
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value.TotalMilliseconds, expectedMs - 0.5, expectedMs + 0.5);
    }

    [Fact]
    public void Http_date_65_seconds_ahead_is_65_seconds()
    {
        var raw = Now.AddSeconds(65).ToString("r", CultureInfo.InvariantCulture); // "Fri, 07 Mar 2025 21:26:49 GMT"
        Assert.Equal(TimeSpan.FromSeconds(65), RetryPolicy.ParseRetryAfter(raw, Now));
    }

    [Theory]
    [InlineData("Fri, 07 Mar 2025 21:26:49 GMT")]  // IMF-fixdate (RFC 9110 preferred form)
    [InlineData("Friday, 07-Mar-25 21:26:49 GMT")] // obsolete RFC 850 form
    [InlineData("Fri Mar  7 21:26:49 2025")]       // obsolete asctime form
    public void All_three_Http_date_forms_are_read(string raw)
    {
        Assert.Equal(TimeSpan.FromSeconds(65), RetryPolicy.ParseRetryAfter(raw, Now));
    }

    [Fact]
    public void Http_date_in_the_past_is_zero()
    {
        var raw = Now.AddSeconds(-30).ToString("r", CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, RetryPolicy.ParseRetryAfter(raw, Now));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("five")]
    [InlineData("2,5")]  // a decimal comma is not a date (a lenient parser reads it as 5 February)
    [InlineData("3/4")]
    [InlineData("1-2")]
    [InlineData("-5")]
    [InlineData("")]
    [InlineData(null)]
    public void Garbage_is_null(string? raw)
    {
        Assert.Null(RetryPolicy.ParseRetryAfter(raw, Now));
    }

    [Theory]
    [InlineData("2.128", 2128)] // the typed header parser rejects this one; the raw text must still be read
    [InlineData("3", 3000)]
    public void Response_header_is_read_raw(string raw, double expectedMs)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        Assert.True(response.Headers.TryAddWithoutValidation("Retry-After", raw));
        var wait = RetryPolicy.ParseRetryAfter(response, Now);
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value.TotalMilliseconds, expectedMs - 0.5, expectedMs + 0.5);
    }

    [Fact]
    public void Response_header_with_a_date_is_read()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)503);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Now.AddSeconds(65));
        Assert.Equal(TimeSpan.FromSeconds(65), RetryPolicy.ParseRetryAfter(response, Now));
    }

    [Fact]
    public void Response_without_the_header_is_null()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)429);
        Assert.Null(RetryPolicy.ParseRetryAfter(response, Now));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void Transient_statuses(int status, bool transient) =>
        Assert.Equal(transient, RetryPolicy.IsTransient((HttpStatusCode)status));

    // ---- waits, on a fake clock ----

    /// <summary>Base backoff 50 ms; no per-attempt timeout (its timer would be one more to step through).</summary>
    private static RetryPolicy FastPolicy(int maxRetries = 3, double maxTotalWaitSeconds = 20) =>
        new(maxRetries: maxRetries, maxTotalWait: TimeSpan.FromSeconds(maxTotalWaitSeconds), baseDelay: TimeSpan.FromMilliseconds(50),
            attemptTimeout: Timeout.InfiniteTimeSpan);

    /// <summary>A client whose retry handler waits on the fake handler's clock, with the jitter at its middle (a factor of 1).</summary>
    private static (HttpClient Client, FakeHandler Fake) ClientOver(RetryPolicy policy, params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
    {
        var fake = new FakeHandler(new TestClock(), answers);
        var retry = new RetryHandler(policy, fake.Clock, FixedRandom.Middle) { InnerHandler = fake };
        return (new HttpClient(retry), fake);
    }

    private static Func<HttpRequestMessage, HttpResponseMessage> Status(int status, string? retryAfter = null) => _ =>
    {
        var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("{}") };
        if (retryAfter is not null) r.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return r;
    };

    private static HttpResponseMessage Ok(HttpRequestMessage _) => new(HttpStatusCode.OK) { Content = new StringContent("done") };

    [Theory]
    [InlineData(429, "1", 1000)]
    [InlineData(503, "1", 1000)]
    [InlineData(429, "3", 3000)]
    [InlineData(429, "0.5", 500)]
    [InlineData(503, "0.5", 500)]
    [InlineData(429, "2.128", 2128)] // fractional seconds, which Kiota's own handler turned into 3 s
    public async Task Waits_exactly_the_Retry_After_seconds_between_attempts(int status, string retryAfter, int expectedMs)
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(status, retryAfter), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users/sender@contoso.com"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), fake.GapBefore(1));
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(expectedMs) }, fake.Clock.Waits);
    }

    [Fact]
    public async Task The_retry_comes_no_earlier_than_Retry_After_says()
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(429, "3"), Ok);
        using var _ = client;

        var sending = client.GetAsync("https://graph.example.test/v1.0/users");
        Assert.Equal(TimeSpan.FromSeconds(3), await fake.Clock.NextTimerAsync());
        fake.Clock.Advance(TimeSpan.FromSeconds(3) - TimeSpan.FromTicks(1));
        Assert.Equal(1, fake.Attempts); // one tick before the end of the wait: not yet
        fake.Clock.Advance(TimeSpan.FromTicks(1));
        using var response = await sending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(3), fake.GapBefore(1));
    }

    [Theory]
    [InlineData(0, 2000)]
    // HTTP dates have 1-second resolution: 2 s ahead of 21:25:44.3 is written 21:25:46, which is 1.7 s away.
    [InlineData(300, 1700)]
    public async Task Waits_exactly_until_an_Http_date(int msPastTheSecond, int expectedMs)
    {
        var (client, fake) = ClientOver(FastPolicy(), request =>
        {
            var r = new HttpResponseMessage((HttpStatusCode)429);
            r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TestClock.Epoch.AddMilliseconds(msPastTheSecond).AddSeconds(2));
            return r;
        }, Ok);
        using var _ = client;
        fake.Clock.Advance(TimeSpan.FromMilliseconds(msPastTheSecond));

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/organization"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), fake.GapBefore(1));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Client_errors_are_not_retried(int status)
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(status, "0"), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.PostAsync("https://login.example.test/contoso.com/oauth2/v2.0/token", new StringContent("grant_type=client_credentials")));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
        Assert.Empty(fake.Clock.Waits);
    }

    [Fact]
    public async Task Retries_are_bounded_by_MaxRetries_and_the_last_answer_is_returned()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 2),
            Status(429, "1"), Status(429, "1"), Status(429, "1"), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(3, fake.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(2), fake.Clock.Elapsed); // two waits, no third after the last answer
    }

    [Fact]
    public async Task No_retries_allowed_means_one_attempt()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 0), Status(503, "1"), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
        Assert.Equal(TimeSpan.Zero, fake.Clock.Elapsed);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_total_budget_is_not_waited_for()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 5, maxTotalWaitSeconds: 2), Status(429, "30"), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
        Assert.Empty(fake.Clock.Waits); // the answer came back at once: no part of the 30 s was waited
        Assert.Equal(TimeSpan.Zero, fake.Clock.Elapsed);
    }

    [Theory]
    // 0.5 s per wait. A 1.2 s budget fits two waits (1.0 s); the third would overrun it.
    [InlineData(1.2, 3, HttpStatusCode.ServiceUnavailable)]
    // A budget of exactly 1.5 s fits the third wait too: it stops at exactly the budget.
    [InlineData(1.5, 4, HttpStatusCode.OK)]
    public async Task The_total_budget_stops_retries_that_would_overrun_it(double budgetSeconds, int attempts, HttpStatusCode last)
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 10, maxTotalWaitSeconds: budgetSeconds),
            Status(503, "0.5"), Status(503, "0.5"), Status(503, "0.5"), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(last, response.StatusCode);
        Assert.Equal(attempts, fake.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(0.5 * (attempts - 1)), fake.Clock.Elapsed);
        Assert.True(fake.Clock.Elapsed <= TimeSpan.FromSeconds(budgetSeconds));
    }

    [Fact]
    public async Task Without_Retry_After_it_backs_off_exponentially()
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(503), Status(503), Status(503), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, fake.Attempts);
        // Base 50 ms, doubled for each retry (jitter at its middle: a factor of 1).
        Assert.Equal(TimeSpan.FromMilliseconds(50), fake.GapBefore(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), fake.GapBefore(2));
        Assert.Equal(TimeSpan.FromMilliseconds(200), fake.GapBefore(3));
    }

    [Theory]
    [InlineData(0.0, 40, 40)]       // the jitter band is ±20 % of the backoff: the lowest draw is exactly 0.8 × 50 ms
    [InlineData(0.999999, 59, 60)]  // the highest draw is just under 1.2 × 50 ms
    public async Task Backoff_jitter_stays_within_20_percent(double draw, int minMs, int maxMs)
    {
        var fake = new FakeHandler(new TestClock(), new[] { Status(503), Ok });
        using var client = new HttpClient(new RetryHandler(FastPolicy(), fake.Clock, new FixedRandom(draw)) { InnerHandler = fake });

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(2, fake.Attempts);
        Assert.InRange(fake.GapBefore(1), TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs));
    }

    [Fact]
    public async Task The_backoff_is_capped_at_MaxDelay()
    {
        var policy = new RetryPolicy(maxRetries: 3, maxTotalWait: TimeSpan.FromMinutes(5), baseDelay: TimeSpan.FromSeconds(10),
            maxDelay: TimeSpan.FromSeconds(15), attemptTimeout: Timeout.InfiniteTimeSpan);
        var (client, fake) = ClientOver(policy, Status(503), Status(503), Status(503), Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(new[] { 10, 15, 15 }.Select(s => TimeSpan.FromSeconds(s)), fake.Clock.Waits);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_is_cut_at_exactly_AttemptTimeout_and_retried()
    {
        var policy = new RetryPolicy(maxRetries: 1, maxTotalWait: TimeSpan.FromSeconds(20), baseDelay: TimeSpan.FromMilliseconds(50),
            attemptTimeout: TimeSpan.FromSeconds(10));
        var fake = new FakeHandler(new TestClock(), new[] { Ok }) { HangFirst = true };
        using var client = new HttpClient(new RetryHandler(policy, fake.Clock, FixedRandom.Middle) { InnerHandler = fake });

        // Stepped by hand: the second attempt's timeout is started but never waited for (the answer beats it).
        var sending = client.GetAsync("https://graph.example.test/v1.0/users");
        Assert.Equal(TimeSpan.FromSeconds(10), await fake.Clock.NextTimerAsync());
        fake.Clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(fake.FirstWasCancelled); // one tick before the timeout the attempt is still waited for
        fake.Clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(TimeSpan.FromMilliseconds(50), await fake.Clock.NextTimerAsync()); // then a backoff, as for no answer
        fake.Clock.Advance(TimeSpan.FromMilliseconds(50));
        using var response = await sending;

        Assert.True(fake.FirstWasCancelled);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(10.05), fake.GapBefore(1));
    }

    [Fact]
    public async Task A_connection_failure_is_retried()
    {
        var (client, fake) = ClientOver(FastPolicy(),
            _ => throw new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException(111)),
            Ok);
        using var _ = client;

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), fake.GapBefore(1)); // backoff: no Retry-After without an answer
    }

    [Fact]
    public async Task Connection_failures_past_MaxRetries_surface_as_HttpRequestException()
    {
        Func<HttpRequestMessage, HttpResponseMessage> refuse = _ => throw new HttpRequestException("Connection refused");
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 2), refuse, refuse, refuse, Ok);
        using var _ = client;

        await Assert.ThrowsAsync<HttpRequestException>(() => fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users")));
        Assert.Equal(3, fake.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50 + 100), fake.Clock.Elapsed);
    }

    [Fact]
    public async Task The_request_body_and_headers_are_sent_again_intact()
    {
        const string form = "client_id=1671f074-56e2-4c37-873b-b7b07a120b18&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials";
        var (client, fake) = ClientOver(FastPolicy(), Status(503, "0"), Status(429, "0"), Ok);
        using var _ = client;
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://login.example.test/contoso.com/oauth2/v2.0/token")
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("client-request-id", "5a2c3f8e-9d41-4b7a-8e6f-0c1d2e3f4a5b");

        using var response = await fake.Clock.RunAsync(client.SendAsync(request));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, fake.Attempts);
        Assert.All(fake.Seen, s =>
        {
            Assert.Equal(HttpMethod.Post, s.Method);
            Assert.Equal("https://login.example.test/contoso.com/oauth2/v2.0/token", s.Uri);
            Assert.Equal(form, s.Body);
            Assert.Equal("application/x-www-form-urlencoded", s.MediaType);
            Assert.Equal("5a2c3f8e-9d41-4b7a-8e6f-0c1d2e3f4a5b", s.ClientRequestId);
        });
    }

    [Fact]
    public async Task Each_retry_is_reported_once_as_Verbose_naming_Retry_After()
    {
        var reporter = new RecordingReporter();
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 3), Status(429, "0"), Status(503, "0.05"), Ok);
        using var _ = client;

        using (OperationContext.Begin(reporter))
        {
            using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users/sender@contoso.com/sendMail?secret=hunter2"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var retries = OperationContext.Current!.Retries;
            Assert.Equal(2, retries.Count);
            Assert.Equal(TimeSpan.FromMilliseconds(50), retries.TotalWait); // 0 s, then 0.05 s
        }

        Assert.Equal(3, fake.Attempts);
        Assert.Equal(2, reporter.Verbose.Count);
        Assert.All(reporter.Verbose, line => Assert.Contains("Retry-After", line));
        Assert.Contains("HTTP 429", reporter.Verbose[0]);
        Assert.Contains("in 0 s", reporter.Verbose[0]);
        Assert.Contains("HTTP 503", reporter.Verbose[1]);
        Assert.Contains("in 0.05 s", reporter.Verbose[1]);
        // Logs name the URL, never query values (docs/design.md#secrets).
        Assert.All(reporter.Verbose, line => Assert.DoesNotContain("hunter2", line));
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public async Task Backoff_retries_are_reported_as_backoff()
    {
        var reporter = new RecordingReporter();
        var (client, fake) = ClientOver(FastPolicy(), Status(503), Ok);
        using var c = client;

        using (OperationContext.Begin(reporter))
        {
            using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));
        }

        var line = Assert.Single(reporter.Verbose);
        Assert.Contains("backoff", line);
        Assert.Contains("in 0.05 s", line);
        Assert.DoesNotContain("Retry-After", line);
    }

    [Fact]
    public async Task Outside_an_operation_retries_still_work_silently()
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(429, "1"), Ok);
        using var _ = client;
        Assert.Null(OperationContext.Current);

        using var response = await fake.Clock.RunAsync(client.GetAsync("https://graph.example.test/v1.0/users"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), fake.GapBefore(1));
    }

    // ---- fakes ----

    /// <summary>
    /// Answers with the given functions in turn (the last one repeats), recording each attempt's time on
    /// <see cref="Clock"/> and its content. With <see cref="HangFirst"/> the first attempt gets no answer
    /// until it is cancelled.
    /// </summary>
    private sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage>[] _answers;
        private readonly List<TimeSpan> _times = new();
        private volatile bool _firstWasCancelled;

        public FakeHandler(TestClock clock, Func<HttpRequestMessage, HttpResponseMessage>[] answers)
        {
            Clock = clock;
            _answers = answers;
        }

        public TestClock Clock { get; }

        public bool HangFirst { get; init; }

        public bool FirstWasCancelled => _firstWasCancelled;

        public List<SeenRequest> Seen { get; } = new();

        public int Attempts
        {
            get { lock (_times) return _times.Count; }
        }

        /// <summary>Time between attempt <paramref name="attempt"/>-1 and <paramref name="attempt"/> (0-based).</summary>
        public TimeSpan GapBefore(int attempt)
        {
            lock (_times) return _times[attempt] - _times[attempt - 1];
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int index;
            lock (_times)
            {
                _times.Add(Clock.Elapsed);
                index = _times.Count - 1;
            }
            if (HangFirst && index == 0)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _firstWasCancelled = true;
                    throw;
                }
            }
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Add(new SeenRequest(
                request.Method,
                request.RequestUri!.ToString(),
                body,
                request.Content?.Headers.ContentType?.MediaType,
                request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null));
            var answerIndex = HangFirst ? index - 1 : index;
            var response = _answers[Math.Min(answerIndex, _answers.Length - 1)](request);
            response.RequestMessage = request;
            return response;
        }
    }

    private sealed record SeenRequest(HttpMethod Method, string Uri, string? Body, string? MediaType, string? ClientRequestId);

    private sealed class RecordingReporter : IOperationReporter
    {
        private readonly ConcurrentQueue<string> _verbose = new();
        private readonly ConcurrentQueue<string> _warnings = new();

        public List<string> Verbose => _verbose.ToList();
        public List<string> Warnings => _warnings.ToList();

        void IOperationReporter.Verbose(string message) => _verbose.Enqueue(message);
        public void Debug(string message) { }
        public void Warning(string message) => _warnings.Enqueue(message);
        public void Progress(ProgressUpdate update) { }
    }
}
