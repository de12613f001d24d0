namespace MailOAuth.Core; internal static class Placeholder {}
