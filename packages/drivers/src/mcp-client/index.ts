// MCP servers as tool devices on the bus (see driver.ts) and the node's MCP server config (config.ts).
export { createMcpToolDriver } from './driver.ts';
export type { McpToolDriver, McpToolInfo, McpToolResult } from './driver.ts';
export { readMcpConfig, parseMcpConfig, MCP_CONFIG_FILE, MCP_ENV_VAR } from './config.ts';
export type { McpServerConfig } from './config.ts';
