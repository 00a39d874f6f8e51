"""Pure functions over our own data: rates, hashtags. No I/O."""
