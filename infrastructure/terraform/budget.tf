# Monthly budget of the environment's resource group (seed 004 "Cost Controls", seed 000):
# notifications at 80 % and 100 % of actual cost and at 100 % of forecast, to the action group.
# start_date is a fixed variable (not timestamp()), so a plan never shows a diff for it.

resource "azurerm_consumption_budget_resource_group" "main" {
  name              = "budget-${local.name}"
  resource_group_id = azurerm_resource_group.main.id
  amount            = var.monthly_budget_amount
  time_grain        = "Monthly"

  time_period {
    start_date = var.budget_start_date
  }

  notification {
    enabled        = true
    operator       = "GreaterThanOrEqualTo"
    threshold      = 80
    threshold_type = "Actual"
    contact_groups = [azurerm_monitor_action_group.main.id]
    contact_emails = var.alert_email_addresses
  }

  notification {
    enabled        = true
    operator       = "GreaterThanOrEqualTo"
    threshold      = 100
    threshold_type = "Actual"
    contact_groups = [azurerm_monitor_action_group.main.id]
    contact_emails = var.alert_email_addresses
  }

  notification {
    enabled        = true
    operator       = "GreaterThanOrEqualTo"
    threshold      = 100
    threshold_type = "Forecasted"
    contact_groups = [azurerm_monitor_action_group.main.id]
    contact_emails = var.alert_email_addresses
  }
}
