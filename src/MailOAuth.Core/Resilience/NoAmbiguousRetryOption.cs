using Microsoft.Kiota.Abstractions;

namespace MailOAuth.Core.Resilience;

/// <summary>
/// Marks a Graph request that must not be repeated after an ambiguous failure (a 504, a reset or a
/// timeout after the request was sent): it is retried only on 429/503, which say "not processed".
/// Kiota copies request options into the HttpRequestMessage's properties under the option's type name,
/// where <see cref="RetryHandler"/> looks for it.
/// </summary>
public sealed class NoAmbiguousRetryOption : IRequestOption
{
}
