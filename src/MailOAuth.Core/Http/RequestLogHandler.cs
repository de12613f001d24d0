using System;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Http;

/// <summary>
/// Writes one Debug line per HTTP attempt: method, URL (query values hidden), status, request-id and
/// time. Nothing else: no headers, no bodies (docs/design.md#secrets).
/// </summary>
public sealed class RequestLogHandler : DelegatingHandler
{
    private readonly TimeProvider _time;

    /// <param name="timeProvider">The clock the logged durations are read from; null: <see cref="TimeProvider.System"/>.</param>
    public RequestLogHandler(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var reporter = OperationContext.CurrentReporter;
        var url = Redaction.UrlForLog(request.RequestUri);
        var started = _time.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            reporter.Debug($"{request.Method} {url} → {(int)response.StatusCode} in {(long)_time.GetElapsedTime(started).TotalMilliseconds} ms{RequestIdOf(response)}");
            return response;
        }
        catch (HttpRequestException ex)
        {
            reporter.Debug($"{request.Method} {url} → no answer after {(long)_time.GetElapsedTime(started).TotalMilliseconds} ms ({ex.InnerException?.GetType().Name ?? ex.GetType().Name})");
            throw;
        }
    }

    private static string RequestIdOf(HttpResponseMessage response)
    {
        foreach (var name in new[] { "request-id", "x-ms-request-id" })
            if (response.Headers.TryGetValues(name, out var values)) return $" ({name} {values.FirstOrDefault()})";
        return "";
    }
}
