namespace MailOAuth; internal static class Placeholder {}
