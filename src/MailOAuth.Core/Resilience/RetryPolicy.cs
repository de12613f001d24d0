using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;

namespace MailOAuth.Core.Resilience;

/// <summary>
/// When and how long to wait before retrying a transient failure. One policy for every HTTP call
/// the module makes (token endpoint, Graph, platform): 429, 503 and 504 and connection failures are
/// retried; 400/401/403 never are (docs/design.md#reliability).
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The default: up to 4 retries, at most 60 s of waiting in all.</summary>
    public static readonly RetryPolicy Default = new();

    public RetryPolicy(int maxRetries = 4, TimeSpan? maxTotalWait = null, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, TimeSpan? attemptTimeout = null)
    {
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(100);
        if (maxRetries < 0) throw new ArgumentOutOfRangeException(nameof(maxRetries));
        MaxRetries = maxRetries;
        MaxTotalWait = maxTotalWait ?? TimeSpan.FromSeconds(60);
        BaseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(30);
    }

    public int MaxRetries { get; }
    public TimeSpan MaxTotalWait { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    /// <summary>How long one attempt may wait for an answer (HttpClient's own default, 100 s).</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Statuses worth retrying: throttling and gateway/availability failures.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        (int)status == 429 || status == HttpStatusCode.ServiceUnavailable || status == HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (1-based): the server's Retry-After when
    /// it sent one, else exponential backoff with ±20 % jitter, capped at <see cref="MaxDelay"/>.
    /// </summary>
    public TimeSpan DelayFor(int attempt, TimeSpan? retryAfter, Random random)
    {
        if (retryAfter is { } fromServer) return fromServer < TimeSpan.Zero ? TimeSpan.Zero : fromServer;
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jitter = 0.8 + random.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(Math.Min(exponential * jitter, MaxDelay.TotalMilliseconds));
    }

    /// <summary>
    /// Reads Retry-After in all three forms seen on the wire: integer seconds (Graph, docs/service-behaviour.md#graph-error-body),
    /// fractional seconds ("2.128", which the typed header parser rejects) and an HTTP date.
    /// Null when absent or unreadable.
    /// </summary>
    public static TimeSpan? ParseRetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValues("Retry-After", out var values)) return null;
        var raw = values.FirstOrDefault()?.Trim();
        return ParseRetryAfter(raw, now);
    }

    /// <summary>Parses a raw Retry-After value; see <see cref="ParseRetryAfter(HttpResponseMessage, DateTimeOffset)"/>.</summary>
    public static TimeSpan? ParseRetryAfter(string? raw, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        // "NaN" and "-Infinity" parse as doubles whatever the styles: they are unreadable, not a wait.
        if (double.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds) && seconds >= 0)
            return seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParseExact(raw, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParseExact(raw, new[] { "dddd, dd-MMM-yy HH:mm:ss 'GMT'", "ddd MMM d HH:mm:ss yyyy" }, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out date))
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
