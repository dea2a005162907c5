import { Injectable } from '@nestjs/common';

/** The ingest clock: windows are judged by it and its instant is stamped on the event. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
