using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Resilience;

/// <summary>
/// The one retry loop. Sits in every HttpClient the module builds (Azure.Identity's transport, the
/// Graph client, the platform client). MailOAuth owns it instead of Kiota's RetryHandler, which falls
/// back to 3 s for a fractional Retry-After and (before 2.1.6) ignored HTTP dates (field-notes).
/// Waits are the server's Retry-After or a computed backoff — never a fixed sleep — and bounded both in
/// count and in total time; a wait that would overrun the budget is not started.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private readonly RetryPolicy _policy;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Random _random = new();

    public RetryHandler(RetryPolicy policy, Func<DateTimeOffset>? clock = null)
    {
        _policy = policy;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
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
            try
            {
                response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
                if (!RetryPolicy.IsTransient(response.StatusCode)) return response;
                reason = $"HTTP {(int)response.StatusCode}";
                retryAfter = RetryPolicy.ParseRetryAfter(response, _clock());
            }
            // A TLS failure (untrusted certificate) will not heal by waiting: it is not retried.
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested && !IsTlsFailure(ex))
            {
                // Connection refused/reset, DNS or TLS failure: no answer came back.
                reason = "connection failed (" + (ex.InnerException?.Message ?? ex.Message) + ")";
                if (attempt >= _policy.MaxRetries) throw;
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
            var sw = Stopwatch.StartNew();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            sw.Stop();
            waited += sw.Elapsed;
            OperationContext.Current?.RecordRetry(sw.Elapsed);
            current = Clone(request, content);
        }
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
