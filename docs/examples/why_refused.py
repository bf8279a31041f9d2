"""Why would the token refuse this transfer? Plain web3.py, no ape, no project code.

python docs/examples/why_refused.py EXPORT_JSON RPC_URL SYMBOL FROM TO RAW_AMOUNT

A swap or liquidity call through an AMM router that fails on a stock token shows only the
router's or pair's own message (Uniswap V2: "TransferHelper: TRANSFER_FROM_FAILED", "UniswapV2:
TRANSFER_FAILED"): the token's reason is swallowed. Ask the token directly for the same move:
ERC-1404 `detectTransferRestriction(from, to, raw)` and its message, then a simulated `transfer`
from FROM, whose revert is the token's custom error `StockTransferRestricted(from, to, value, code)`.
For a swap, FROM and TO are the trader and the pair (selling the stock) or the pair and the
receiver (buying it).
"""

from __future__ import annotations

import sys

from eth_abi import decode
from web3 import Web3
from web3.exceptions import ContractCustomError


def main(export_path: str, rpc_url: str, symbol: str, sender: str, receiver: str, raw_amount: str) -> None:
    import json

    export = json.loads(open(export_path).read())
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    if w3.eth.chain_id != export["chainId"]:
        sys.exit(f"error: {rpc_url} is chain {w3.eth.chain_id}, the export is for chain {export['chainId']}")
    entry = export["contracts"].get(f"StockToken_{symbol}")
    if entry is None:
        sys.exit(f"error: no StockToken_{symbol} in {export_path}")
    token = w3.eth.contract(address=entry["address"], abi=entry["abi"])
    sender, receiver, amount = Web3.to_checksum_address(sender), Web3.to_checksum_address(receiver), int(raw_amount)

    code = token.functions.detectTransferRestriction(sender, receiver, amount).call()
    message = token.functions.messageForTransferRestriction(code).call()
    print(f"ERC-1404 detectTransferRestriction: code {code}: {message}")

    # The revert the hook raises for the same move, as the pair or router sees it.
    error = next(item for item in entry["abi"] if item.get("type") == "error" and item["name"] == "StockTransferRestricted")
    types = [arg["type"] for arg in error["inputs"]]
    selector = Web3.keccak(text=f"StockTransferRestricted({','.join(types)})")[:4]
    try:
        token.functions.transfer(receiver, amount).call({"from": sender})
        print("simulated transfer: would succeed")
    except ContractCustomError as err:
        data = bytes.fromhex(str(err.data)[2:])
        if data[:4] != selector:
            print(f"simulated transfer: reverted with another error ({str(err.data)[:10]})")
            return
        _, _, value, refused = decode(types, data[4:])
        print(f"simulated transfer: reverts StockTransferRestricted(value={value}, code={refused}): "
              f"{token.functions.messageForTransferRestriction(refused).call()}")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__.strip().splitlines()[2])
    main(*sys.argv[1:])
