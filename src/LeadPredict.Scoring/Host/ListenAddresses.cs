using System.Net;
using System.Net.Sockets;
using LeadPredict.Core;

namespace LeadPredict.Scoring.Host;

/// <summary>
/// Checks the --urls before the host starts, so a taken port, a privileged port or a malformed URL gets one sentence. Kestrel
/// would find the same, but only after the host has logged the failure with the framework's stack trace.
/// </summary>
internal static class ListenAddresses
{
    public static void EnsureFree(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try { address = BindingAddress.Parse(url); }
            catch (FormatException) { throw new LeadPredictException($"--urls has '{url}', which is not a URL such as {ScoringHost.DefaultUrls}."); }
            if (address.IsUnixPipe || address.Port == 0) continue;
            Probe(url, new IPEndPoint(Address(address.Host), address.Port));
        }
    }

    private static IPAddress Address(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip
        : IPAddress.Any; // "*", "+" or a host name: Kestrel listens on every interface

    private static void Probe(string url, IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // As Kestrel does: a port left in TIME_WAIT by the previous run is free to listen on again.
        if (!OperatingSystem.IsWindows()) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new LeadPredictException($"cannot listen on {url}: the address is already in use; choose another with --urls.");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new LeadPredictException($"cannot listen on {url}: permission denied (ports below 1024 need administrator rights); choose another with --urls.");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new LeadPredictException($"cannot listen on {url}: {endpoint.Address} is not an address of this machine; choose another with --urls.");
        }
    }
}
