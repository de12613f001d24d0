using System;
using System.Collections.Generic;
using System.Linq;
using MailOAuth.Core.Diagnostics;
using Microsoft.Graph.Models.ODataErrors;

namespace MailOAuth.Core.Graph;

/// <summary>Reading Graph failures raised by the SDK: the one translation of ODataError to evidence.</summary>
public static class GraphErrors
{
    /// <summary>The evidence of a Graph SDK failure.</summary>
    public static ServiceError ToServiceError(ODataError error)
    {
        var requestId = error.Error?.InnerError?.RequestId ?? Header(error.ResponseHeaders, "request-id");
        var clientRequestId = error.Error?.InnerError?.ClientRequestId ?? Header(error.ResponseHeaders, "client-request-id");
        return ServiceError.FromGraphParts(error.ResponseStatusCode, error.Error?.Code, error.Error?.Message, requestId, clientRequestId,
            error.Error?.Details?.Select(d => d.Code).FirstOrDefault(c => c is not null));
    }

    /// <summary>True when <paramref name="ex"/> is a Graph answer with this status (and code / detail code when given).</summary>
    public static bool Is(Exception ex, int status, string? code = null, string? detailCode = null)
    {
        if (ex is not ODataError e || e.ResponseStatusCode != status) return false;
        if (code is not null && !string.Equals(e.Error?.Code, code, StringComparison.Ordinal)) return false;
        if (detailCode is not null && e.Error?.Details?.Any(d => d.Code == detailCode) != true) return false;
        return true;
    }

    /// <summary>
    /// True when <paramref name="ex"/> is a Graph answer with this status and code whose message contains
    /// <paramref name="text"/>. Only for the few cases where Graph gives a generic code
    /// (Request_BadRequest, Authorization_RequestDenied) and the message is the only evidence that tells
    /// two situations apart (docs/service-behaviour.md#service-principal, #app-role-assignment); everywhere else diagnosis keys on codes, never text.
    /// </summary>
    public static bool HasMessage(Exception ex, int status, string code, string text) =>
        Is(ex, status, code) && ((ODataError)ex).Error?.Message?.IndexOf(text, StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// Explains any exception from a Graph call through <see cref="DiagnosisCatalog.Explain(Exception, DiagnosisContext, Uri, bool)"/>
    /// (already-explained ones pass through; an unforeseen one is InternalError, never a network failure).
    /// </summary>
    public static MailOAuthException Explain(Exception ex, DiagnosisContext context, Uri graphEndpoint) =>
        ex as MailOAuthException ?? new MailOAuthException(DiagnosisCatalog.Explain(ex, context, graphEndpoint), ex);

    internal static string? Header(IDictionary<string, IEnumerable<string>>? headers, string name)
    {
        if (headers is null) return null;
        foreach (var pair in headers)
            if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)) return pair.Value.FirstOrDefault();
        return null;
    }
}
