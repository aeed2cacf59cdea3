# Break-glass access to Key Vault (seed 004 "Access Control": the security team holds Key Vault
# Administrator on the vault). Normally unused: Terraform writes secrets as Secrets Officer and
# applications only read. The object ids (Entra ID users or a group, kept out of day-to-day
# work) come per environment from key_vault_break_glass_object_ids; infrastructure/README.md
# ("Break-glass access") says who holds them and how to use them.

resource "azurerm_role_assignment" "break_glass_key_vault_administrator" {
  for_each             = toset(var.key_vault_break_glass_object_ids)
  scope                = azurerm_key_vault.main.id
  role_definition_name = "Key Vault Administrator"
  principal_id         = each.value
}

# Production without a break-glass principal is allowed (the first apply may precede the
# security team's group), but every plan says so.
check "production_has_break_glass" {
  assert {
    condition     = var.environment != "prod" || length(var.key_vault_break_glass_object_ids) > 0
    error_message = "Production has no break-glass Key Vault Administrator: set key_vault_break_glass_object_ids."
  }
}
