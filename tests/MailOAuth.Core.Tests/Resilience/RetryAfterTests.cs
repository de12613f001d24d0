using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.Resilience;
using Xunit;

namespace MailOAuth.Core.Tests.Resilience;

/// <summary>
/// Retry-After in all its wire forms (ARCHITECTURE.md "Reliability rules", wire §0.4), and the
/// <see cref="RetryHandler"/>'s real waits measured with a Stopwatch over a fake inner handler.
/// </summary>
[Collection(TimingCollection.Name)]
public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 7, 21, 25, 44, TimeSpan.Zero);

    /// <summary>Slack under the advertised wait (timer granularity).</summary>
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(30);

    /// <summary>How much longer than the advertised wait is still plausible on a busy 2-core machine.</summary>
    private static readonly TimeSpan Late = TimeSpan.FromSeconds(1.5);

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

    // ---- measured waits ----

    private static RetryPolicy FastPolicy(int maxRetries = 3, double maxTotalWaitSeconds = 20) =>
        new(maxRetries: maxRetries, maxTotalWait: TimeSpan.FromSeconds(maxTotalWaitSeconds), baseDelay: TimeSpan.FromMilliseconds(50));

    private static (HttpClient Client, FakeHandler Fake) ClientOver(RetryPolicy policy, params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
    {
        var fake = new FakeHandler(answers);
        var retry = new RetryHandler(policy) { InnerHandler = fake };
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
    [InlineData(429, "0.5", 500)]
    [InlineData(503, "0.5", 500)]
    public async Task Waits_the_Retry_After_seconds_between_attempts(int status, string retryAfter, int expectedMs)
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(status, retryAfter), Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users/sender@contoso.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        var gap = fake.GapBefore(1);
        var expected = TimeSpan.FromMilliseconds(expectedMs);
        Assert.True(gap >= expected - Early, $"Retried after {gap.TotalMilliseconds:0} ms; Retry-After said {expectedMs} ms.");
        Assert.True(gap < expected + Late, $"Retried after {gap.TotalMilliseconds:0} ms; Retry-After said {expectedMs} ms.");
    }

    [Fact]
    public async Task Waits_until_an_Http_date()
    {
        DateTimeOffset? date = null;
        DateTimeOffset sentAt = default;
        var (client, fake) = ClientOver(FastPolicy(), _ =>
        {
            sentAt = DateTimeOffset.UtcNow;
            var r = new HttpResponseMessage((HttpStatusCode)429);
            // HTTP dates have 1-second resolution: the real wait is (date - sentAt), somewhere in (1 s, 2 s].
            r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(sentAt.AddSeconds(2));
            date = DateTimeOffset.ParseExact(r.Headers.GetValues("Retry-After").Single(), "r", CultureInfo.InvariantCulture);
            return r;
        }, Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/organization");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
        var expected = date!.Value - sentAt;
        Assert.InRange(expected, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.1));
        var gap = fake.GapBefore(1);
        Assert.True(gap >= expected - TimeSpan.FromMilliseconds(50), $"Retried after {gap.TotalMilliseconds:0} ms; the date was {expected.TotalMilliseconds:0} ms ahead.");
        Assert.True(gap < expected + Late, $"Retried after {gap.TotalMilliseconds:0} ms; the date was {expected.TotalMilliseconds:0} ms ahead.");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Client_errors_are_not_retried(int status)
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(status, "0"), Ok);
        using var _ = client;

        using var response = await client.PostAsync("https://login.example.test/contoso.com/oauth2/v2.0/token", new StringContent("grant_type=client_credentials"));

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
    }

    [Fact]
    public async Task Retries_are_bounded_by_MaxRetries_and_the_last_answer_is_returned()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 2),
            Status(429, "0"), Status(429, "0"), Status(429, "0"), Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(3, fake.Attempts);
    }

    [Fact]
    public async Task No_retries_allowed_means_one_attempt()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 0), Status(503, "0"), Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_total_budget_is_not_waited_for()
    {
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 5, maxTotalWaitSeconds: 2), Status(429, "30"), Ok);
        using var _ = client;

        var sw = Stopwatch.StartNew();
        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");
        sw.Stop();

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(1, fake.Attempts);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"Returned after {sw.ElapsedMilliseconds} ms instead of at once.");
    }

    [Fact]
    public async Task The_total_budget_stops_retries_that_would_overrun_it()
    {
        // 0.5 s per wait, 1.2 s budget: two waits fit (1.0 s), the third would overrun it.
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 10, maxTotalWaitSeconds: 1.2),
            Status(503, "0.5"), Status(503, "0.5"), Status(503, "0.5"), Ok);
        using var _ = client;

        var sw = Stopwatch.StartNew();
        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");
        sw.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, fake.Attempts);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1.2) + Late, $"Took {sw.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task Without_Retry_After_it_backs_off()
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(503), Status(503), Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, fake.Attempts);
        // Base 50 ms with ±20 % jitter, doubled for the second retry.
        Assert.True(fake.GapBefore(1) >= TimeSpan.FromMilliseconds(40) - Early, $"first backoff {fake.GapBefore(1).TotalMilliseconds:0} ms");
        Assert.True(fake.GapBefore(2) >= TimeSpan.FromMilliseconds(80) - Early, $"second backoff {fake.GapBefore(2).TotalMilliseconds:0} ms");
        Assert.True(fake.GapBefore(2) < TimeSpan.FromMilliseconds(120) + Late);
    }

    [Fact]
    public async Task A_connection_failure_is_retried()
    {
        var (client, fake) = ClientOver(FastPolicy(),
            _ => throw new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException(111)),
            Ok);
        using var _ = client;

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, fake.Attempts);
    }

    [Fact]
    public async Task Connection_failures_past_MaxRetries_surface_as_HttpRequestException()
    {
        Func<HttpRequestMessage, HttpResponseMessage> refuse = _ => throw new HttpRequestException("Connection refused");
        var (client, fake) = ClientOver(FastPolicy(maxRetries: 2), refuse, refuse, refuse, Ok);
        using var _ = client;

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://graph.example.test/v1.0/users"));
        Assert.Equal(3, fake.Attempts);
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

        using var response = await client.SendAsync(request);

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
            using var response = await client.GetAsync("https://graph.example.test/v1.0/users/sender@contoso.com/sendMail?secret=hunter2");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var retries = OperationContext.Current!.Retries;
            Assert.Equal(2, retries.Count);
            Assert.True(retries.TotalWait >= TimeSpan.FromMilliseconds(50) - Early);
        }

        Assert.Equal(3, fake.Attempts);
        Assert.Equal(2, reporter.Verbose.Count);
        Assert.All(reporter.Verbose, line => Assert.Contains("Retry-After", line));
        Assert.Contains("HTTP 429", reporter.Verbose[0]);
        Assert.Contains("HTTP 503", reporter.Verbose[1]);
        // Logs name the URL, never query values (ARCHITECTURE.md "Secrets").
        Assert.All(reporter.Verbose, line => Assert.DoesNotContain("hunter2", line));
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public async Task Backoff_retries_are_reported_as_backoff()
    {
        var reporter = new RecordingReporter();
        var (client, _) = ClientOver(FastPolicy(), Status(503), Ok);
        using var c = client;

        using (OperationContext.Begin(reporter))
        {
            using var response = await client.GetAsync("https://graph.example.test/v1.0/users");
        }

        var line = Assert.Single(reporter.Verbose);
        Assert.Contains("backoff", line);
        Assert.DoesNotContain("Retry-After", line);
    }

    [Fact]
    public async Task Outside_an_operation_retries_still_work_silently()
    {
        var (client, fake) = ClientOver(FastPolicy(), Status(429, "0"), Ok);
        using var _ = client;
        Assert.Null(OperationContext.Current);

        using var response = await client.GetAsync("https://graph.example.test/v1.0/users");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, fake.Attempts);
    }

    // ---- fakes ----

    /// <summary>Answers with the given functions in turn (the last one repeats), recording each attempt's time and content.</summary>
    private sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage>[] _answers;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<TimeSpan> _times = new();

        public FakeHandler(Func<HttpRequestMessage, HttpResponseMessage>[] answers) => _answers = answers;

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
                _times.Add(_clock.Elapsed);
                index = _times.Count - 1;
            }
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Seen.Add(new SeenRequest(
                request.Method,
                request.RequestUri!.ToString(),
                body,
                request.Content?.Headers.ContentType?.MediaType,
                request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null));
            var response = _answers[Math.Min(index, _answers.Length - 1)](request);
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
