// The table of actions, one per event kind (src/model/event.ts), in eventKinds order.
import type { EventKind } from '../../model/event.ts';
import type { Action } from '../action.ts';
import { atsTranslateAction } from './atsTranslate.ts';
import { bindAction } from './bind.ts';
import { disableSvaAction } from './disableSva.ts';
import { dmaAction } from './dma.ts';
import { domainFreeAction } from './domainFree.ts';
import { enableSvaAction } from './enableSva.ts';
import { exitAction } from './exit.ts';
import { iopfHandleAction } from './iopfHandle.ts';
import { iopfRespondAction } from './iopfRespond.ts';
import { mmapAction } from './mmap.ts';
import { munmapAction } from './munmap.ts';
import { notifierFreeAction } from './notifierFree.ts';
import { touchAction } from './touch.ts';
import { unbindAction } from './unbind.ts';

export const actions: { readonly [K in EventKind]: Action<K> } = {
  enableSva: enableSvaAction,
  disableSva: disableSvaAction,
  bind: bindAction,
  unbind: unbindAction,
  touch: touchAction,
  munmap: munmapAction,
  mmap: mmapAction,
  exit: exitAction,
  notifierFree: notifierFreeAction,
  domainFree: domainFreeAction,
  dma: dmaAction,
  atsTranslate: atsTranslateAction,
  iopfHandle: iopfHandleAction,
  iopfRespond: iopfRespondAction,
};
