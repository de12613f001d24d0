#requires -Version 7.4
<#
.SYNOPSIS
    Packs the built module folder (out/MailOAuth) into the two shapes admins install from:
    MailOAuth.<version>.nupkg (a PowerShell gallery / NuGet feed / folder repository package) and
    MailOAuth.zip (an Azure Automation module: the MailOAuth/ folder at the zip's root).
.DESCRIPTION
    The nupkg is made by PSResourceGet's own Compress-PSResource (the packing code Publish-PSResource
    uses, so the layout is the one Install-PSResource and Install-Module expect: the module files at
    the package root beside MailOAuth.nuspec). PSResourceGet 1.x does not write the command tags that
    PowerShellGet 2 wrote and that `Find-PSResource -CommandName` / `Find-Module -Command` search on,
    so they are added to the nuspec here from the manifest: PSModule, PSIncludes_Cmdlet, PSCmdlet_<name>
    and PSCommand_<name> per exported cmdlet, PSEdition_<edition> per CompatiblePSEditions entry.
    Called by `build.ps1 -Task Package` and by tests/MailOAuth.Tests/Package.Tests.ps1.
.PARAMETER ModuleFolder
    The laid-out module folder (its name is the module name; MailOAuth.psd1 inside).
.PARAMETER DestinationPath
    Where the .nupkg and the .zip are written (created if missing; earlier files of this module replaced).
.OUTPUTS
    An object with NupkgPath and ZipPath.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleFolder,
    [Parameter(Mandatory)] [string] $DestinationPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem

$ModuleFolder = (Resolve-Path -LiteralPath $ModuleFolder).ProviderPath
$name = Split-Path -Leaf $ModuleFolder
$manifestPath = Join-Path $ModuleFolder "$name.psd1"
if (-not (Test-Path -LiteralPath $manifestPath)) { throw "No module manifest at '$manifestPath'. Build first: dotnet pwsh ./build.ps1" }
if (-not (Get-Command Compress-PSResource -ErrorAction Ignore)) {
    throw 'Packing needs PSResourceGet 1.1 or later (it ships with PowerShell 7.4+). Run it with the repository''s pwsh: dotnet tool restore; dotnet pwsh ./build.ps1 -Task Package'
}
$manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
$version = $manifest.ModuleVersion
$null = New-Item -ItemType Directory -Force -Path $DestinationPath
$DestinationPath = (Resolve-Path -LiteralPath $DestinationPath).ProviderPath
$nupkg = Join-Path $DestinationPath "$name.$version.nupkg"
$zip = Join-Path $DestinationPath "$name.zip"
Remove-Item -LiteralPath $nupkg, $zip -ErrorAction Ignore

Compress-PSResource -Path $ModuleFolder -DestinationPath $DestinationPath
if (-not (Test-Path -LiteralPath $nupkg)) { throw "Compress-PSResource did not write '$nupkg'." }

# The gallery's command tags, from the manifest (the same list the module exports).
$archive = [IO.Compression.ZipFile]::Open($nupkg, [IO.Compression.ZipArchiveMode]::Update)
try {
    $entry = $archive.GetEntry("$name.nuspec")
    $reader = [IO.StreamReader]::new($entry.Open())
    try { $nuspec = [xml]$reader.ReadToEnd() } finally { $reader.Dispose() }
    $ns = [Xml.XmlNamespaceManager]::new($nuspec.NameTable)
    $ns.AddNamespace('n', $nuspec.DocumentElement.NamespaceURI)
    $metadata = $nuspec.SelectSingleNode('/n:package/n:metadata', $ns)
    $tagsNode = $metadata.SelectSingleNode('n:tags', $ns)
    if (-not $tagsNode) { $tagsNode = $metadata.AppendChild($nuspec.CreateElement('tags', $nuspec.DocumentElement.NamespaceURI)) }
    $cmdlets = @($manifest.CmdletsToExport | Where-Object { $_ -and $_ -ne '*' })
    $tags = [Collections.Generic.List[string]]::new()
    foreach ($tag in @(($tagsNode.InnerText -split '\s+') + 'PSModule' +
            @($manifest.CompatiblePSEditions | ForEach-Object { "PSEdition_$_" }) +
            @(if ($cmdlets) { 'PSIncludes_Cmdlet' }) +
            @($cmdlets | ForEach-Object { "PSCmdlet_$_"; "PSCommand_$_" }))) {
        if ($tag -and -not $tags.Contains($tag)) { $tags.Add($tag) }
    }
    $tagsNode.InnerText = $tags -join ' '
    $entry.Delete()
    $writer = [IO.StreamWriter]::new($archive.CreateEntry("$name.nuspec").Open(), [Text.UTF8Encoding]::new($false))
    try { $nuspec.Save($writer) } finally { $writer.Dispose() }
}
finally { $archive.Dispose() }

# Azure Automation imports a zip whose root holds the module folder, named as the module, with the
# .psd1 inside. ZipFile writes '/' separators on every OS (Windows PowerShell's Compress-Archive did not).
[IO.Compression.ZipFile]::CreateFromDirectory($ModuleFolder, $zip, [IO.Compression.CompressionLevel]::Optimal, $true)

[pscustomobject]@{ NupkgPath = $nupkg; ZipPath = $zip; Version = $version }
