using System.Text.RegularExpressions;
using MailOAuth.Core.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Entra;

/// <summary>
/// <see cref="EntraIds.UniqueNameFor"/>: the app's alternate key must be the same on every run (so a
/// re-run upserts the same object) and different for different display names.
/// </summary>
public sealed partial class EntraIdsTests
{
    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex UniqueNameChars();

    private static readonly string[] s_names =
    [
        "Email OAuth",
        "email oauth",
        "EMAIL OAUTH",
        "Email-OAuth",
        "Email.OAuth",
        "Email_OAuth",
        "Email  OAuth",
        "Email OAuth!",
        "E-mail OAuth",
        "Émail OAuth",
        "Contoso's \"Mail\" (prod) / 2024",
        "メール送信",
        "!!!",
        "x",
        new string('a', 300),
    ];

    public static TheoryData<string> Names => new(s_names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Is_stable_prefixed_and_made_only_of_lowercase_letters_digits_and_dashes(string name)
    {
        var uniqueName = EntraIds.UniqueNameFor(name);

        Assert.Equal(uniqueName, EntraIds.UniqueNameFor(name));
        Assert.Equal(uniqueName, EntraIds.UniqueNameFor(new string(name.ToCharArray()))); // by value, not reference
        Assert.StartsWith(EntraIds.UniqueNamePrefix, uniqueName);
        Assert.Equal("mailoauth-", EntraIds.UniqueNamePrefix);
        Assert.Matches(UniqueNameChars(), uniqueName);
        Assert.InRange(uniqueName.Length, EntraIds.UniqueNamePrefix.Length + 1, 100);
    }

    [Fact]
    public void Names_that_differ_only_in_case_or_punctuation_get_different_unique_names()
    {
        var all = s_names;

        var uniqueNames = all.Select(n => EntraIds.UniqueNameFor(n)).ToList();

        Assert.Equal(all.Length, uniqueNames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void The_known_value_does_not_change_between_versions()
    {
        // Pinned: an app created by an earlier version must be found again by a later one.
        // slug of the trimmed, lower-cased name + the first 8 hex digits of SHA-256 over the trimmed name (UTF-8).
        Assert.Equal("mailoauth-email-oauth-79f959ee", EntraIds.UniqueNameFor("Email OAuth"));
    }

    [Fact]
    public void Surrounding_whitespace_does_not_make_another_app()
    {
        Assert.Equal(EntraIds.UniqueNameFor("Email OAuth"), EntraIds.UniqueNameFor("  Email OAuth \t"));
    }

    [Fact]
    public void The_nth_alternate_key_extends_the_first_and_the_first_is_unchanged()
    {
        Assert.Equal(EntraIds.UniqueNameFor("Email OAuth"), EntraIds.UniqueNameFor("Email OAuth", 1));
        Assert.Equal(EntraIds.UniqueNameFor("Email OAuth") + "-2", EntraIds.UniqueNameFor("Email OAuth", 2));
        Assert.NotEqual(EntraIds.UniqueNameFor("Email OAuth", 2), EntraIds.UniqueNameFor("Email OAuth", 3));
    }
}
