using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Resilience;

/// <summary>
/// The one retry loop. Sits in every HttpClient the module builds (Azure.Identity's transport, the
/// Graph client, the platform client). MailOAuth owns it instead of Kiota's RetryHandler, which falls
/// back to 3 s for a fractional Retry-After and (before 2.1.6) ignored HTTP dates (docs/design.md#libraries).
/// Waits are the server's Retry-After or a computed backoff — never a fixed sleep — and bounded both in
/// count and in total time; a wait that would overrun the budget is not started. Every wait and timeout
/// runs on the injected <see cref="TimeProvider"/>, so tests drive it on a fake clock.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private readonly RetryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly Random _random;

    /// <param name="policy">How often and how long to retry.</param>
    /// <param name="timeProvider">The clock for waits, attempt timeouts and HTTP-date Retry-After; null: <see cref="TimeProvider.System"/>.</param>
    /// <param name="random">The source of backoff jitter; null: a new <see cref="Random"/>.</param>
    public RetryHandler(RetryPolicy policy, TimeProvider? timeProvider = null, Random? random = null)
    {
        _policy = policy;
        _time = timeProvider ?? TimeProvider.System;
        _random = random ?? new Random();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var waited = TimeSpan.Zero;
        var attempt = 0;
        var current = request;
        while (true)
        {
            HttpResponseMessage? response = null;
            string reason;
            TimeSpan? retryAfter = null;
            var ambiguous = false;
            // The per-attempt timeout lives here (HttpClient.Timeout is infinite in the module's clients),
            // so a slow answer is one failed attempt, not the end of the whole retry budget.
            // An infinite AttemptTimeout starts no timer at all.
            using var attemptTimeout = _policy.AttemptTimeout == Timeout.InfiniteTimeSpan ? null : _time.CreateCancellationTokenSource(_policy.AttemptTimeout);
            using var attemptCancellation = attemptTimeout is null
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
            try
            {
                response = await base.SendAsync(current, attemptCancellation.Token).ConfigureAwait(false);
                if (!RetryPolicy.IsTransient(response.StatusCode)) return response;
                reason = $"HTTP {(int)response.StatusCode}";
                retryAfter = RetryPolicy.ParseRetryAfter(response, _time.GetUtcNow());
                // 429 and 503 say the request was not processed; a 504 (gateway timeout) does not.
                ambiguous = response.StatusCode == System.Net.HttpStatusCode.GatewayTimeout;
            }
            // A TLS failure (untrusted certificate) will not heal by waiting: it is not retried.
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested && !IsTlsFailure(ex))
            {
                // Connection refused/reset or DNS failure: no answer came back.
                reason = "connection failed (" + (ex.InnerException?.Message ?? ex.Message) + ")";
                ambiguous = true;
                if (NoAmbiguousRetry(request)) throw new AmbiguousRequestException(reason, ex);
                if (attempt >= _policy.MaxRetries) throw;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"no answer within {_policy.AttemptTimeout.TotalSeconds:0} s";
                ambiguous = true;
                if (NoAmbiguousRetry(request)) throw new AmbiguousRequestException(reason, null);
                if (attempt >= _policy.MaxRetries) throw new HttpRequestException("The service gave no answer within " + _policy.AttemptTimeout.TotalSeconds.ToString("0") + " s.");
            }

            // A write that must not happen twice (addPassword: a second secret whose value would be lost)
            // is retried only when the service said it did not process it.
            if (ambiguous && NoAmbiguousRetry(request))
            {
                if (response is not null) return response;
                throw new AmbiguousRequestException(reason, null);
            }

            attempt++;
            var delay = _policy.DelayFor(attempt, retryAfter, _random);
            if (attempt > _policy.MaxRetries || delay > _policy.MaxTotalWait - waited)
            {
                if (response is not null) return response;
                throw new HttpRequestException("The request failed and the retry budget is spent: " + reason);
            }

            response?.Dispose();
            OperationContext.CurrentReporter.Verbose(
                $"{request.Method} {Redaction.UrlForLog(request.RequestUri)}: {reason}; retry {attempt} of {_policy.MaxRetries} in {delay.TotalSeconds:0.###} s" +
                (retryAfter is null ? " (backoff)." : " (Retry-After)."));
            var waitStarted = _time.GetTimestamp();
            await _time.Delay(delay, cancellationToken).ConfigureAwait(false);
            // The budget counts the waits asked for, so a busy machine does not change how many retries fit.
            waited += delay;
            OperationContext.Current?.RecordRetry(_time.GetElapsedTime(waitStarted));
            current = Clone(request, content);
        }
    }

    /// <summary>True when the caller marked the request with <see cref="NoAmbiguousRetryOption"/>.</summary>
    private static bool NoAmbiguousRetry(HttpRequestMessage request)
    {
#pragma warning disable CS0618 // Properties is the netstandard2.0 way; Kiota keeps its request options there.
        return request.Properties.ContainsKey(typeof(NoAmbiguousRetryOption).FullName!);
#pragma warning restore CS0618
    }

    private static bool IsTlsFailure(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is System.Security.Authentication.AuthenticationException) return true;
        return false;
    }

    private static HttpRequestMessage Clone(HttpRequestMessage original, byte[]? content)
    {
        var clone = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
        foreach (var header in original.Headers) clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (content is not null)
        {
            clone.Content = new ByteArrayContent(content);
            if (original.Content is not null)
                foreach (var header in original.Content.Headers) clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
#pragma warning disable CS0618 // Properties is the netstandard2.0 way; Kiota keeps its options there.
        foreach (KeyValuePair<string, object?> p in original.Properties) clone.Properties[p.Key] = p.Value;
#pragma warning restore CS0618
        return clone;
    }
}

/// <summary>
/// A request marked <see cref="NoAmbiguousRetryOption"/> failed without a clear answer (a reset, a
/// timeout after it was sent): it may or may not have taken effect, and it was not repeated.
/// </summary>
public sealed class AmbiguousRequestException : HttpRequestException
{
    public AmbiguousRequestException(string reason, Exception? inner)
        : base("The request may or may not have been processed (" + reason + "); it was not repeated.", inner)
    {
    }
}
