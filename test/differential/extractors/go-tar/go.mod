module migrationgate/difftar

go 1.19
