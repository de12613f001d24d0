# build.ps1 -Task Demo is the rehearsal a new admin runs first (README "See it work"): the whole
# onboarding pipeline against the sandbox, a converging re-run, the mailbox scope proven both ways.
# It runs here in a fresh pwsh exactly as the build runs it, so a change that breaks it fails the suite.
Describe 'build.ps1 -Task Demo' -Tag 'Demo' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    }

    It 'runs the onboarding twice, scopes the app to the sender mailbox, and ends with Demo complete' {
        $demo = Join-Path $root 'build/Demo.ps1'
        $run = Invoke-FreshPwsh -WorkingDirectory $root -TimeoutSeconds 240 -Script @"
& '$demo' -ModulePath '$env:MAILOAUTH_MODULE_PATH' -SandboxPath '$env:MAILOAUTH_SANDBOX_PATH' -ReplicationLagSeconds 0
exit `$LASTEXITCODE
"@
        $run.ExitCode | Should -Be 0 -Because "$($run.Output)`n$($run.Error)"
        $run.Output | Should -Match 'Demo complete'
        $run.Output | Should -Match "Apps named 'Email OAuth' managed by MailOAuth: 1; secrets on it: 2"
        $run.Output | Should -Match 'other@contoso\.com\s+DeniedAsExpected\s+Denied'
        $run.Output | Should -Not -Match 'Demo FAILED'
    }
}
