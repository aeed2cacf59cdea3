# Azure Managed Redis, the replacement of the Azure Cache for Redis the seed names (which can no
# longer be created). TLS only, one database, the non-clustered policy so a non-cluster-aware
# client (ioredis, BullMQ) connects to one endpoint, private endpoint (networking.tf), public
# access off in staging/production. Tier mapping: infrastructure/README.md.

resource "azurerm_managed_redis" "main" {
  name                      = "redis-${local.name}-${local.suffix}"
  location                  = azurerm_resource_group.main.location
  resource_group_name       = azurerm_resource_group.main.name
  sku_name                  = var.redis_sku
  high_availability_enabled = var.redis_high_availability_enabled
  public_network_access     = var.public_network_access_enabled ? "Enabled" : "Disabled"
  tags                      = local.tags

  default_database {
    # TLS-encrypted protocol only (the seed's "TLS required, non-TLS port disabled").
    client_protocol = "Encrypted"
    # NoCluster: one shard behind one endpoint, so multi-key commands and BullMQ's Lua scripts
    # work without hash tags. OSSCluster (the default) would need a cluster-aware client.
    clustering_policy = "NoCluster"
    # BullMQ requires noeviction: its job locks carry TTLs, so even volatile-* policies could
    # evict them. Cache keys expire by TTL; the memory alert (alerts.tf) warns at 80 %.
    eviction_policy = "NoEviction"
    # ioredis authenticates with a password: the access key goes to Key Vault (keyvault.tf).
    access_keys_authentication_enabled = true
  }
}
