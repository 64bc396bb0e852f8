// Plugs the node's MCP servers (<dataDir>/mcp.json, $AIOS_MCP_SERVERS) into the bus as tool devices named
// `mcp:<name>`. Agents reach one only when granted at spawn (`devices: ['mcp:<name>']`), then call
// DeviceCall(h, 'list') and DeviceCall(h, 'call', { tool, arguments }); each call is checked (USE right,
// Cedar actions DeviceCall and ToolCall) and audited by the kernel. Servers connect on first use.
import type { KernelHost } from '@aios/kernel';
import { createMcpToolDriver, type McpServerConfig, type McpToolDriver } from '@aios/drivers/mcp-client';

export interface McpDevices {
  /** Device names plugged, e.g. ['mcp:files']. */
  readonly names: string[];
  /** Unplugs every device and closes its connection (child processes end). */
  close(): Promise<void>;
}

/** Plugs one device per server of `servers` (read with readMcpConfig before boot opens anything). */
export function plugMcpDevices(host: KernelHost, servers: Record<string, McpServerConfig>): McpDevices {
  const drivers: Array<{ device: string; driver: McpToolDriver }> = [];
  for (const [name, cfg] of Object.entries(servers)) {
    const driver = createMcpToolDriver(name, cfg);
    host.kernel.plugDevice(driver.info.name, driver);
    drivers.push({ device: driver.info.name, driver });
  }
  return {
    names: drivers.map((d) => d.device),
    async close() {
      for (const { device, driver } of drivers) {
        try {
          host.kernel.unplugDevice(device);
        } catch {
          /* already unplugged */
        }
        await driver.close?.();
      }
    },
  };
}
